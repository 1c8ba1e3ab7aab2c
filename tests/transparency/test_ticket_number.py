"""A family sees its ticket number and its place in the lottery, and finds itself in the published record."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocation.models import AllocationPolicy, AllocationRun
from allocation.synthetic import generate_households
from registrations.models import Household
from tests.conftest import FAMILY, household_post


@pytest.mark.django_db
def test_the_family_sees_its_ticket_and_lottery_place_then_finds_its_row(maria, matamoros, brownsville, client):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    household = Household.objects.get()
    page = maria.get("/household").content.decode()
    assert f"Your ticket number is {household.pk}." in page
    # Only lottery seats, and more families than places: the lottery decides, draw by draw.
    AllocationPolicy.objects.update(waiting_share=0, lottery_share=100, reserved_share=0)
    generate_households(300, seed=4, days=20)
    Household.objects.exclude(pk=household.pk).update(preferred_port=brownsville)
    date = timezone.localdate() - dt.timedelta(days=2)
    call_command("allocate", "--date", date.isoformat(), "--seed", "beacon", stdout=io.StringIO())

    draws = AllocationRun.objects.get(date=date).lottery["brownsville"]
    page = maria.get("/household").content.decode()
    if household.pk in draws:
        place = draws.index(household.pk) + 1
        assert f"the lottery drew your ticket at place {place} of {len(draws)} draws" in page
    else:
        assert f"the lottery did not draw your ticket ({len(draws)} draws)" in page

    record = json.loads(client.get(f"/draws/{date.isoformat()}.json").content)
    [row] = [row for row in record["pool"]["rows"] if row[0] == household.pk]
    assert row[1:3] == ["brownsville", 2]
    assert record["outcome"]["lottery_draws"]["brownsville"] == draws
