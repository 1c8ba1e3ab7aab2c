"""The status section of the household page says where the family stands, for every appointment state."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocation.models import Appointment
from registrations.models import Household
from tests.conftest import FAMILY, household_post

S, R = Appointment.Status, Appointment.CancelReason


@pytest.fixture
def appointment(maria, matamoros, brownsville) -> Appointment:
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    day = timezone.localdate() + dt.timedelta(days=1)
    call_command("allocate", "--date", day.isoformat(), "--seed", "status", stdout=open("/dev/null", "w"))
    return Appointment.objects.get(household=Household.objects.get())


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "shown", "not_shown"),
    [
        (S.HELD, "being checked by a person", "Confirm: we will come"),
        (S.OFFERED, "Your family has an appointment offer", "See and print your letter"),
        (S.CONFIRMED, "Your appointment is confirmed", "Confirm: we will come"),
        (S.CHECKED_IN, "You are checked in", "We cannot come"),
    ],
)
def test_a_live_appointment_shows_its_state_and_only_its_actions(maria, appointment, status, shown, not_shown):
    Appointment.objects.filter(pk=appointment.pk).update(status=status)
    page = maria.get("/household").content.decode()
    assert shown in page and not_shown not in page
    assert ("We cannot come" in page) == (status in (S.OFFERED, S.CONFIRMED))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("status", "reason", "told"),
    [
        (S.MISSED, "", "You missed your last appointment."),
        (S.EXPIRED, "", "Your last offer was not confirmed in time."),
        (S.CANCELLED, R.HOUSEHOLD, "You cancelled your last appointment."),
        (S.CANCELLED, R.RESCHEDULED, "so your whole family will be among the first at the next draw."),
        (S.CANCELLED, R.VOIDED, "The agency cancelled that draw after checking it."),
        (S.CANCELLED, R.PORT_CLOSED, "The port was closed that day, so your whole family will be among the first"),
    ],
)
def test_an_ended_appointment_says_why_and_that_the_place_in_line_is_kept(maria, appointment, status, reason, told):
    Appointment.objects.filter(pk=appointment.pk).update(status=status, cancel_reason=reason)
    Household.objects.update(status=Household.Status.WAITING)
    page = maria.get("/household").content.decode()
    assert told in page and "You keep your place in line." in page
    assert "You are waiting for an appointment." in page
