"""`manage.py verify_allocation`: anyone can repeat a past draw and see that it matches."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from allocation.models import AllocationRun, Appointment
from registrations.models import Household
from tests.allocation.conftest import DAY


def verify() -> str:
    out = io.StringIO()
    call_command("verify_allocation", "--date", DAY.isoformat(), stdout=out)
    return out.getvalue()


@pytest.fixture
def drawn(queue):
    call_command("allocate", "--date", DAY.isoformat(), stdout=io.StringIO())
    return AllocationRun.objects.get(date=DAY)


def test_it_reports_a_match(drawn):
    assert verify().startswith("MATCH")


def test_it_still_matches_after_households_change(drawn):
    Household.objects.filter(status=Household.Status.WAITING).update(size=1, status=Household.Status.CLOSED)
    Appointment.objects.update(status=Appointment.Status.CANCELLED)
    assert verify().startswith("MATCH")


def test_it_reports_the_first_difference_in_a_tampered_record(drawn):
    appointment = Appointment.objects.order_by("pk")[3]
    Appointment.objects.filter(pk=appointment.pk).update(window_start=appointment.window_start + dt.timedelta(hours=1))
    with pytest.raises(CommandError, match="First difference at seat 4"):
        verify()


def test_it_reports_a_seed_that_does_not_match_its_commitment(drawn):
    AllocationRun.objects.filter(pk=drawn.pk).update(seed="another seed")
    with pytest.raises(CommandError, match="does not match the commitment"):
        verify()


def test_it_reports_inputs_that_do_not_match_the_pool_hash(drawn):
    snapshot = bytes(drawn.inputs.snapshot)
    drawn.inputs.snapshot = snapshot[:-1] + bytes([snapshot[-1] ^ 1])  # one household's carried-over flag
    drawn.inputs.save()
    with pytest.raises(CommandError, match="MISMATCH"):
        verify()


def test_it_says_when_there_is_no_run(db):
    with pytest.raises(CommandError, match="no allocation run"):
        verify()
