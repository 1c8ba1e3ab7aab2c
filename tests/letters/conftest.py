"""A family with a confirmed appointment and its letter, as the officer at the port gets it."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocation.models import Appointment
from letters.models import Letter
from registrations.models import Household
from tests.conftest import FAMILY, household_post

DRAW_DATE = (timezone.localdate() + dt.timedelta(days=3)).isoformat()


@pytest.fixture
def appointment(maria, matamoros, brownsville) -> Appointment:
    """Maria's family of three, drawn for Brownsville and confirmed."""
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))
    call_command("allocate", "--date", DRAW_DATE, "--seed", "beacon", stdout=open("/dev/null", "w"))
    maria.post("/household/appointment/confirm")
    found = Appointment.objects.select_related("port", "household").get()
    assert found.status == Appointment.Status.CONFIRMED
    return found


@pytest.fixture
def letter(maria, appointment) -> Letter:
    """The letter Maria opens (and prints) from her status page."""
    assert maria.get("/household/letter").status_code == 200
    return Letter.objects.get(appointment=appointment, revoked_at__isnull=True)


@pytest.fixture
def household(appointment) -> Household:
    return appointment.household
