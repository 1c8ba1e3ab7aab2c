"""When Cita moves a family: the seats it freed go back, and a port closed for a day rebooks
everyone booked there. The head start at the next draw is the pool's carried flag (see pool.rebooked)."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from allocation.models import Appointment, FreedSeats
from allocation.pool import rebooked
from allocation.runs import end_appointment
from registrations.models import Household
from shared.models import Port


def give_back_seats(appointment: Appointment, now: dt.datetime | None = None) -> FreedSeats | None:
    """Offer a cancelled appointment's seats to the next households in line at its port, whole households
    that fit, when its window is at least REOFFER_MIN_HOURS away; otherwise record them as unused.

    Next in line: households Cita moved first (they are served first anyway), then oldest registration.
    The new seats are in the same window, so no window holds more people than the draw gave it."""
    now = now or timezone.now()
    with transaction.atomic():
        ended = [Appointment.Status.CANCELLED, Appointment.Status.EXPIRED]
        if not Appointment.objects.filter(pk=appointment.pk, status__in=ended).exists():
            return None  # only a cancelled or expired offer frees seats (a missed one is in the past)
        freed, created = FreedSeats.objects.get_or_create(
            appointment=appointment, defaults={"people": appointment.people}
        )
        if not created:
            return freed  # given back already: a resend changes nothing
        if appointment.window_start - now < dt.timedelta(hours=settings.REOFFER_MIN_HOURS):
            freed.unused_reason = FreedSeats.Unused.TOO_CLOSE
            freed.save(update_fields=["unused_reason"])
            return freed
        left = appointment.people
        first = [household_id for household_id, port in rebooked() if port == appointment.port_id]
        for household in _next_in_line(appointment, first):
            if household.size > left:
                continue
            if _offer(appointment, household, freed):
                left -= household.size
                freed.reoffered_people += household.size
            if left == 0:
                break
        freed.unused_reason = FreedSeats.Unused.NOBODY_FITS if left else ""
        freed.save(update_fields=["reoffered_people", "unused_reason"])
    return freed


def _next_in_line(appointment: Appointment, first: list[int]):
    """Waiting households at the port that fit the freed seats and have no seat from this run yet."""
    in_run = Appointment.objects.filter(run_id=appointment.run_id).values("household_id")
    waiting = (
        Household.objects.waiting()
        .filter(preferred_port_id=appointment.port_id, size__gt=0, size__lte=appointment.people)
        .exclude(pk__in=in_run)
        .order_by("registered_at", "pk")
    )
    yield from waiting.filter(pk__in=first)
    yield from waiting.exclude(pk__in=first).iterator(chunk_size=100)


def _offer(appointment: Appointment, household: Household, freed: FreedSeats) -> bool:
    """One household offered the freed seats' window; False if it stopped waiting meanwhile."""
    if not Household.objects.filter(pk=household.pk, status=Household.Status.WAITING).update(
        status=Household.Status.OFFERED, updated_at=timezone.now()
    ):
        return False
    Appointment.objects.create(
        run_id=appointment.run_id,
        household=household,
        port_id=appointment.port_id,
        date=appointment.date,
        window_start=appointment.window_start,
        window_end=appointment.window_end,
        people=household.size,
        share=Appointment.Share.WAITING,
        status=Appointment.Status.OFFERED,
        freed_from=freed,
    )
    return True


def close_port_day(port: Port, date: dt.date, actor: User) -> int:
    """A port closed for a day after the draw: every household booked there that day is cancelled with
    the reason port_closed (told why by the outbox) and is served first, whole, at the port's next draw."""
    from shared.audit import record  # staff imports allocation; the audit is written here, in the change
    from shared.models import AuditAction

    with transaction.atomic():
        booked = list(
            Appointment.objects.select_for_update().filter(
                port=port, date=date, status__in=[Appointment.Status.OFFERED, Appointment.Status.CONFIRMED]
            )
        )
        for appointment in booked:
            end_appointment(appointment, Appointment.Status.CANCELLED, Appointment.CancelReason.PORT_CLOSED)
        held = Appointment.objects.filter(port=port, date=date, status=Appointment.Status.HELD).update(
            status=Appointment.Status.CANCELLED,
            cancel_reason=Appointment.CancelReason.PORT_CLOSED,
            ended_at=timezone.now(),
        )
        count = len(booked) + held
        record(actor, AuditAction.CLOSE_PORT_DAY, port=port.code, date=date.isoformat(), count=count)
    return count
