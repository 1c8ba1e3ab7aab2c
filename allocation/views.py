"""The household's page, whose status section is the appointment or the wait, and the answers to
an appointment: confirm it, or say the family cannot come. The page shows registrations' household
beside allocation's appointment, so it lives here, above registrations (docs/architecture.md)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from allocation import accuracy, appointments, status_page
from allocation.models import Appointment
from allocation.tickets import lottery_places
from allocation.waits import wait_for
from registrations.access import HtmxHttpRequest, applicant_required, own_household
from registrations.households import cap_message
from registrations.models import Household, Member
from registrations.sharing import organisations_seeing
from shared.by_key import rows_with
from shared.personal import no_store

# Read by statements built once (shared/by_key.py): a family's first view after a draw renders the page.
ACTIVE_MEMBERS = Member.objects.filter(is_active=True)
APPOINTMENTS_LATEST_FIRST = Appointment.objects.select_related("port").order_by("-created_at")


@require_GET
@no_store
@applicant_required
def household(request: HtmxHttpRequest) -> HttpResponse:
    own = own_household(request)
    if own is None:
        return redirect("household_new")
    page = status_page.StatusPage(request, own)
    kept = page.kept()
    if kept is not None:
        return kept
    members = rows_with(ACTIVE_MEMBERS, "household", own.pk)
    full = cap_message() if own.size >= settings.MAX_HOUSEHOLD_SIZE else ""
    links = organisations_seeing(own)
    context = {"household": own, "members": members, "full": full, "links": links, **status_context(own)}
    return page.render(context)


def status_context(household: Household) -> dict:
    """One query for the household's appointments: the latest, live, is shown; ended, it explains the wait;
    the others say which share seated it in recent draws. A household has a handful at most."""
    seats = rows_with(APPOINTMENTS_LATEST_FIRST, "household", household.pk)
    draws = {"lottery_places": lottery_places(household, seats)}
    latest = seats[0] if seats else None
    if latest is not None and latest.status in Appointment.LIVE:
        appointment = latest
        return {
            "appointment": appointment,
            "window_start": appointment.window_start,
            "window_end": appointment.window_end,
            "confirm_by": appointments.confirm_deadline(appointment),
            **draws,
        }
    wait = wait_for(household)
    return {
        "appointment": None,
        "ended": latest,
        "wait": wait,
        "wait_accuracy": accuracy.for_port(household.preferred_port) if wait else None,
        **draws,
    }


def _own_appointment(request: HtmxHttpRequest) -> Appointment | None:
    household = own_household(request)
    return appointments.live_appointment(household) if household else None


@require_POST
@applicant_required
def confirm(request: HtmxHttpRequest) -> HttpResponse:
    appointment = _own_appointment(request)
    if appointment is None:
        return redirect("household")
    if appointments.confirm(appointment):
        messages.success(request, _("Your appointment is confirmed. You can now print your letter."))
    else:
        messages.error(request, _("This offer can no longer be confirmed. You keep your place in line."))
    return redirect("household")


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def cancel(request: HtmxHttpRequest) -> HttpResponse:
    appointment = _own_appointment(request)
    if appointment is None or appointment.status not in (Appointment.Status.OFFERED, Appointment.Status.CONFIRMED):
        return redirect("household")
    if request.method == "POST":
        appointments.cancel(appointment)
        messages.success(
            request, _("The appointment is cancelled. You keep your place in line and will get a new one.")
        )
        return redirect("household")
    return render(request, "registrations/appointment_cancel.html", {"appointment": appointment})
