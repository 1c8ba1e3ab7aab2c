"""The allocation is killed (SIGKILL) midway: nothing partial stays, and the rerun gives the uninterrupted result."""

import datetime as dt
import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db import connection

from allocation.models import Appointment
from allocation.runs import compute, policy_for
from allocation.synthetic import generate_households
from registrations.models import Household

SEED = "kill-test"


def _allocate(date: dt.date) -> subprocess.Popen:
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return subprocess.Popen(
        [sys.executable, "manage.py", "allocate", "--date", date.isoformat(), "--seed", SEED],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _written(date: dt.date) -> set[tuple]:
    return set(Appointment.objects.filter(date=date).values_list("household_id", "port_id", "window_start", "share"))


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_killed_allocation_leaves_nothing_partial_and_the_rerun_matches_an_uninterrupted_draw():
    generate_households(3000, seed=8)
    date = dt.date.today() + dt.timedelta(days=1)
    draw = compute(date, policy_for(date), SEED, lambda step: None)
    expected = {
        (draw.pool.tickets[seat.index], seat.port, draw.details[seat.port]["starts"][seat.window], seat.share)
        for seat in draw.result.seats
    }

    for delay in (1.0, 2.0):
        process = _allocate(date)
        time.sleep(delay)
        process.kill()
        process.wait()
        time.sleep(0.3)  # PostgreSQL notices the closed connection and rolls back
        written = frozenset(_written(date))
        offered = Household.objects.exclude(status=Household.Status.WAITING).count()
        assert (written, offered) in {(frozenset(), 0), (frozenset(expected), len(expected))}

    assert _allocate(date).wait() == 0
    assert _written(date) == expected
