"""What happens to an appointment after the draw: confirm, cancel, expire, check in, and a
member added after the offer. Every rule keeps the household whole and its priority unchanged."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from allocation.models import Appointment, CapacityOverride
from allocation.rebooking import give_back_seats
from allocation.runs import end_appointment, window_starts
from registrations.models import Household


class AppointmentError(Exception):
    """The change is not possible in the appointment's current state."""


def live_appointment(household: Household) -> Appointment | None:
    return Appointment.objects.filter(household=household, status__in=Appointment.LIVE).select_related("port").first()


def confirm_deadline(appointment: Appointment) -> dt.datetime:
    return appointment.created_at + dt.timedelta(hours=settings.OFFER_CONFIRM_HOURS)


def confirm(appointment: Appointment) -> bool:
    """The household says it will come. Only an offer still open can be confirmed; a resend changes nothing."""
    with transaction.atomic():
        if confirm_deadline(appointment) <= timezone.now():
            return False
        changed = Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.OFFERED).update(
            status=Appointment.Status.CONFIRMED
        )
        if changed:
            Household.objects.filter(pk=appointment.household_id).update(status=Household.Status.CONFIRMED)
        return (
            changed == 1 or Appointment.objects.filter(pk=appointment.pk, status=Appointment.Status.CONFIRMED).exists()
        )


def cancel(appointment: Appointment) -> None:
    """The household cannot come: its seats go to the next in line (if far enough away); it waits again
    with its priority but without the head start Cita gives families it moves."""
    end_appointment(appointment, Appointment.Status.CANCELLED, Appointment.CancelReason.HOUSEHOLD)
    give_back_seats(appointment)


def expire_offers(now: dt.datetime | None = None) -> int:
    """Offers not confirmed in time return to the pool; the households keep their registration time."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(hours=settings.OFFER_CONFIRM_HOURS)
    expired = 0
    for appointment in Appointment.objects.filter(status=Appointment.Status.OFFERED, created_at__lte=cutoff):
        end_appointment(appointment, Appointment.Status.EXPIRED)
        give_back_seats(appointment, now)  # far enough ahead: the next in line get them
        expired += 1
    return expired


def check_in_window(appointment: Appointment) -> tuple[dt.datetime, dt.datetime]:
    """From CHECK_IN_EARLY_MINUTES before the window to the port's grace period after it."""
    opens = appointment.window_start - dt.timedelta(minutes=settings.CHECK_IN_EARLY_MINUTES)
    return opens, appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes)


def mark_checked_in(appointment: Appointment, now: dt.datetime, statuses: list[str]) -> bool:
    """The state change of a check-in; the rules and the audit live in letters.checkin."""
    changed = Appointment.objects.filter(pk=appointment.pk, status__in=statuses).update(
        status=Appointment.Status.CHECKED_IN, ended_at=now
    )
    if changed:
        Household.objects.filter(pk=appointment.household_id).update(status=Household.Status.CHECKED_IN, updated_at=now)
    return changed == 1


def mark_missed(now: dt.datetime | None = None) -> int:
    """Appointments whose check-in closed without the family: missed, back to the pool with their priority."""
    now = now or timezone.now()
    missed = 0
    live = Appointment.objects.filter(status__in=[Appointment.Status.OFFERED, Appointment.Status.CONFIRMED])
    for appointment in live.filter(window_end__lt=now).select_related("port"):
        if check_in_window(appointment)[1] < now:
            end_appointment(appointment, Appointment.Status.MISSED)
            missed += 1
    return missed


def _window_capacity(appointment: Appointment) -> tuple[int, int]:
    """The day's capacity at the port and the nominal capacity of one window (day spread evenly)."""
    port = appointment.port
    override = (
        CapacityOverride.objects.filter(port=port, date=appointment.date).values_list("capacity", flat=True).first()
    )
    capacity = override if override is not None else port.daily_capacity
    windows = max(len(window_starts(port, appointment.date)), 1)
    return capacity, -(-capacity // windows)


def seat_new_member(sender: type, household: Household, **kwargs: object) -> None:
    """Receives registrations.households.member_joined_after_offer, inside add_member's transaction."""
    grow_for_new_member(household)


def grow_for_new_member(household: Household) -> str:
    """A person joined after the offer: same window if it has room, else the whole household waits
    again with its original priority and is served first at the next draw. Never split."""
    appointment = live_appointment(household)
    if appointment is None:
        return "none"
    with transaction.atomic():
        appointment = Appointment.objects.select_for_update().select_related("port").get(pk=appointment.pk)
        same_day = Appointment.objects.filter(port=appointment.port, date=appointment.date, status__in=Appointment.LIVE)
        day_people = same_day.aggregate(n=Sum("people"))["n"] or 0
        window_people = same_day.filter(window_start=appointment.window_start).aggregate(n=Sum("people"))["n"] or 0
        day_capacity, window_capacity = _window_capacity(appointment)
        if day_people + 1 <= day_capacity and window_people + 1 <= window_capacity:
            Appointment.objects.filter(pk=appointment.pk).update(people=appointment.people + 1)
            return "joined"
    end_appointment(appointment, Appointment.Status.CANCELLED, Appointment.CancelReason.RESCHEDULED)
    give_back_seats(appointment)
    return "rescheduled"
