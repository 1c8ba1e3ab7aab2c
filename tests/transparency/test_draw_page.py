"""A published draw's page says what verify_allocation reports."""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command

from allocation.models import AllocationRun
from allocation.synthetic import generate_households

DAY = dt.date(2030, 3, 4)


@pytest.mark.django_db
def test_the_draw_page_matches_verify_allocation(client):
    generate_households(400, seed=11, days=60, now=dt.datetime(2030, 3, 1, tzinfo=dt.UTC))
    call_command("allocate", "--date", DAY.isoformat(), "--seed", "beacon-2030-03-04", stdout=io.StringIO())
    out = io.StringIO()
    call_command("verify_allocation", "--date", DAY.isoformat(), stdout=out)
    seats = int(re.search(r"MATCH: (\d+) seats", out.getvalue()).group(1))
    run = AllocationRun.objects.get(date=DAY)

    page = client.get(f"/draws/{DAY.isoformat()}").content.decode()
    families = sum(int(n) for n in re.findall(r'<td class="families">(\d+)</td>', page))
    assert families == seats > 0
    assert run.seed_commitment in page and "beacon-2030-03-04" in page and run.pool_hash in page
    assert f"python3 verify_draw.py http://testserver/draws/{DAY.isoformat()}.json" in page
    listing = client.get("/draws").content.decode()
    assert f"/draws/{DAY.isoformat()}" in listing
