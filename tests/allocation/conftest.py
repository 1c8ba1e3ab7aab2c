"""Allocation test helpers: a small synthetic queue, and PostgreSQL-only tests skipped elsewhere."""

import datetime as dt

import pytest
from django.db import connection

from allocation.synthetic import generate_households

DAY = dt.date(2030, 3, 4)


def pytest_collection_modifyitems(config, items):
    if connection.vendor != "postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres_only" in item.keywords:
                item.add_marker(skip)


@pytest.fixture
def queue(db) -> int:
    """Six hundred waiting households at the eight ports, registered over the last 90 days."""
    return generate_households(600, seed=7, days=90)
