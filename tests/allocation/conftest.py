"""Allocation test helpers: a small synthetic queue."""

import datetime as dt

import pytest

from allocation.synthetic import generate_households

DAY = dt.date(2030, 3, 4)


@pytest.fixture
def queue(db) -> int:
    """Six hundred waiting households at the eight ports, registered over the last 90 days."""
    return generate_households(600, seed=7, days=90)
