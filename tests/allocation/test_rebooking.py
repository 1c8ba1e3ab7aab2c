"""A family Cita moves comes first: grown past its window's room, or its port closed for the day."""

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import appointments, runs
from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride, FreedSeats
from allocation.synthetic import generate_households
from allocation.verify import verify_run
from notifications.events import queue_events
from notifications.models import Notification
from registrations import households
from registrations.households import MemberData
from registrations.models import Household
from shared.models import AuditEntry, Port
from tests.allocation.conftest import DAY

BABY = MemberData("Bebé", "Nuevo", dt.date(2030, 2, 1), "VE", "F", "child")


@pytest.fixture
def families(db) -> int:
    """Six hundred waiting households with their members, so people can join them (no run held for review)."""
    AllocationPolicy.objects.update(skew_threshold=100)
    Port.objects.update(daily_capacity=40)  # days stay full for the whole story
    return generate_households(600, seed=11, days=90, members=True)


def grow(household: Household, n: int) -> str:
    """A baby is born: the real add-member path the applicant and NGO pages use."""
    baby = MemberData(f"Bebé{'a' * n}", "Nuevo", BABY.date_of_birth, "VE", "F", "child")
    households.add_member(
        Household.objects.get(pk=household.pk), baby, key=f"baby-{household.pk}-{n}", request_hash="h"
    )
    return Appointment.objects.filter(household=household).latest("pk").status


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(picks=st.lists(st.integers(0, 10_000), min_size=3, max_size=3))
def test_a_household_grown_past_its_window_is_seated_first_at_its_ports_next_draw(families, picks):
    with transaction.atomic():
        day = DAY
        runs.allocate_date(day)
        for n, pick in enumerate(picks):
            offered = list(Appointment.objects.filter(date=day, status=Appointment.Status.OFFERED).order_by("pk"))
            grown = offered[pick % len(offered)].household
            outcome = grow(grown, n)
            if outcome != Appointment.Status.CANCELLED:
                runs.allocate_date(day := day + dt.timedelta(days=1))
                continue  # the person joined the same window: nothing to reschedule
            cancelled = Appointment.objects.filter(household=grown).latest("pk")
            assert cancelled.cancel_reason == Appointment.CancelReason.RESCHEDULED
            runs.allocate_date(day := day + dt.timedelta(days=1))
            seat = Appointment.objects.get(household=grown, date=day)
            assert seat.people == cancelled.people + 1 and seat.port_id == cancelled.port_id
            assert seat.share == Appointment.Share.WAITING
            # Served first: no household registered before it took its seat at the port ahead of it
            # in the waiting share, because it came before the whole share.
            run = AllocationRun.objects.get(date=day)
            assert grown.pk not in {ticket for ticket, _port in run.carried_over}
        transaction.set_rollback(True)


def test_a_household_that_cancels_itself_keeps_its_place_but_not_the_head_start(families):
    runs.allocate_date(DAY)
    appointment = Appointment.objects.filter(status=Appointment.Status.OFFERED).order_by("-household__registered_at")[0]
    appointments.cancel(appointment)
    from allocation.pool import rebooked

    assert appointment.household_id not in {ticket for ticket, _port in rebooked()}
    assert FreedSeats.objects.get(appointment=appointment).people == appointment.people  # its seats go back too


def full_day_household(day: dt.date) -> Household:
    """An offered household whose day is full, so a new baby cannot join its window."""
    return Appointment.objects.filter(date=day, status=Appointment.Status.OFFERED).order_by("pk")[0].household


def test_seats_freed_far_enough_ahead_go_to_the_next_in_line_now(families):
    runs.allocate_date(DAY)
    grown = full_day_household(DAY)
    freed_appointment = Appointment.objects.get(household=grown)
    assert grow(grown, 0) == Appointment.Status.CANCELLED
    freed = FreedSeats.objects.get(appointment=freed_appointment)
    reoffers = list(Appointment.objects.filter(freed_from=freed))
    assert reoffers and freed.reoffered_people == sum(a.people for a in reoffers) <= freed.people
    for seat in reoffers:
        assert seat.status == Appointment.Status.OFFERED and seat.household.status == Household.Status.OFFERED
        assert (seat.port_id, seat.window_start, seat.people) == (
            freed_appointment.port_id,
            freed_appointment.window_start,
            seat.household.size,
        )
    # Next in line: no household still waiting at the port that fits was registered before the first one.
    first = min(seat.household.registered_at for seat in reoffers)
    waiting = Household.objects.filter(preferred_port_id=freed_appointment.port_id, status=Household.Status.WAITING)
    assert not waiting.filter(registered_at__lt=first, size__lte=freed.people).exclude(pk=grown.pk).exists()
    # The draw itself still repeats exactly: seats offered again are not part of it.
    assert verify_run(AllocationRun.objects.get(date=DAY)).matches


def test_seats_freed_too_close_to_the_date_are_recorded_unused(families):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    runs.allocate_date(tomorrow)
    grown = full_day_household(tomorrow)
    assert grow(grown, 0) == Appointment.Status.CANCELLED
    freed = FreedSeats.objects.get()
    assert freed.unused_reason == FreedSeats.Unused.TOO_CLOSE and freed.unused_people == freed.people
    assert not Appointment.objects.filter(freed_from__isnull=False).exists()


def test_a_port_closed_for_a_day_rebooks_all_its_households_first_and_whole(families, olga):
    port = Port.objects.get(code="san-ysidro")
    runs.allocate_date(DAY)
    booked = {a.household_id: a.people for a in Appointment.objects.filter(port=port, date=DAY)}
    assert booked
    response = olga.post(
        reverse("admin:allocation_capacityoverride_add"),
        {"port": port.pk, "date": DAY.isoformat(), "capacity": 0, "reason": "Bridge closed"},
        follow=True,
    )
    assert f"{len(booked)} households were told" in response.content.decode()
    cancelled = Appointment.objects.filter(port=port, date=DAY)
    assert {a.cancel_reason for a in cancelled} == {Appointment.CancelReason.PORT_CLOSED}
    assert AuditEntry.objects.filter(action="close port day").exists()
    queue_events()
    notes = Notification.objects.filter(kind="port_closed")
    assert notes.count() == len(booked) and all(port.name in n.body for n in notes)  # each in its own language

    # The next day has room for them all (and the queue behind them): every one is seated, whole, first.
    CapacityOverride.objects.create(port=port, date=DAY + dt.timedelta(days=1), capacity=sum(booked.values()) + 20)
    runs.allocate_date(DAY + dt.timedelta(days=1))
    next_day = {a.household_id: a for a in Appointment.objects.filter(port=port, date=DAY + dt.timedelta(days=1))}
    assert set(booked) <= set(next_day)
    assert all(next_day[pk].people == people for pk, people in booked.items())  # none split


def test_seats_of_an_offer_not_confirmed_in_time_go_to_the_next_in_line(families, settings):
    runs.allocate_date(DAY)
    Appointment.objects.exclude(pk=Appointment.objects.order_by("pk")[0].pk).update(status=Appointment.Status.CONFIRMED)
    later = timezone.now() + dt.timedelta(hours=settings.OFFER_CONFIRM_HOURS, minutes=1)
    assert appointments.expire_offers(now=later) == 1
    freed = FreedSeats.objects.get()
    assert freed.appointment.status == Appointment.Status.EXPIRED
    assert freed.reoffered_people == sum(a.people for a in Appointment.objects.filter(freed_from=freed)) > 0
