"""A family Cita moves comes first: grown past its window's room, or its port closed for the day."""

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from allocation import appointments, runs
from allocation.models import AllocationPolicy, AllocationRun, Appointment, Port
from allocation.synthetic import generate_households
from registrations import households
from registrations.households import MemberData
from registrations.models import Household
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
