"""The household's appointment: confirm it, or say the family cannot come."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from allocation import appointments
from allocation.models import Appointment
from registrations.access import HtmxHttpRequest, applicant_required, own_household


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
@never_cache
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
