"""A family sees its ticket number and its place in the lottery, and finds itself in the published record."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocation.models import AllocationPolicy, AllocationRun, Appointment
from allocation.synthetic import generate_households
from allocation.tickets import RECENT, SHOWN, _recent_runs, lottery_places
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


@pytest.mark.django_db
def test_the_draws_a_family_is_shown_are_the_latest_three_shown_since_it_registered(maria, matamoros, brownsville):
    """Read by a fixed statement (allocation.tickets.RECENT_SQL): the same as the queryset it replaced; each
    says the share that seated the household in it."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    household = Household.objects.get()
    policy = AllocationPolicy.objects.first()
    status = AllocationRun.Status
    runs = [  # (status, day of December, started after the household registered)
        (status.COMPLETED, 9, False), (status.HELD, 8, True), (status.VOIDED, 7, True), (status.RELEASED, 4, True),
        (status.COMPLETED, 6, True), (status.RELEASED, 5, True), (status.COMPLETED, 3, True),
    ]  # fmt: skip
    for state, day, after in runs:
        AllocationRun.objects.create(
            date=dt.date(2026, 12, day), policy=policy, seed_commitment="c" * 64, status=state,
            started_at=household.registered_at + dt.timedelta(minutes=30 if after else -30),
        )  # fmt: skip
    expected = (
        AllocationRun.objects.filter(status__in=SHOWN, started_at__gt=household.registered_at)
        .order_by("-date")
        .values_list("pk", "date")[:RECENT]
    )
    assert _recent_runs(household) == list(expected)
    assert [place.date.day for place in lottery_places(household, [])] == [6, 5, 4]

    # The share that seated it is the draw's own seat's; a seat freed by others and passed on to it is not.
    run_on = {run.date.day: run for run in AllocationRun.objects.all()}
    drawn = Appointment(run=run_on[6], share=Appointment.Share.LOTTERY)
    passed_on = Appointment(run=run_on[5], share=Appointment.Share.WAITING, freed_from_id=1)
    places = lottery_places(household, [drawn, passed_on])
    assert [(place.date.day, place.share) for place in places] == [(6, "lottery"), (5, ""), (4, "")]
