"""Operators read runs and decide held ones in the admin; they cannot edit the record."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from allocation.models import AllocationPolicy, AllocationRun, Appointment
from tests.allocation.conftest import DAY
from tests.staff.conftest import staff_client


@pytest.fixture
def operator(db):
    """An operator signed in with password and second factor."""
    return staff_client("olga", "operator", None)


def test_it_shows_runs_read_only_without_the_sealed_seed(operator, queue):
    call_command("allocate", "--date", DAY.isoformat(), stdout=io.StringIO())
    run = AllocationRun.objects.get(date=DAY)
    response = operator.get(reverse("admin:allocation_allocationrun_change", args=[run.pk]))
    assert response.status_code == 200
    assert run.seed_commitment in response.content.decode()
    assert 'name="seed"' not in response.content.decode()


def test_it_releases_a_held_run(operator, queue):
    AllocationPolicy.objects.filter(version=1).update(skew_threshold=0)
    call_command("allocate", "--date", DAY.isoformat(), stdout=io.StringIO())
    run = AllocationRun.objects.get(date=DAY)
    changelist = reverse("admin:allocation_allocationrun_changelist")
    operator.post(changelist, {"action": "release", "_selected_action": [run.pk]})
    run.refresh_from_db()
    assert run.status == AllocationRun.Status.RELEASED
    assert not Appointment.objects.filter(status=Appointment.Status.HELD).exists()
