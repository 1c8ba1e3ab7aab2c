"""Public pages: no sign-in, cacheable, rules and counts only."""

import datetime as dt

import pytest
from django.utils import timezone

from allocation.models import AllocationPolicy, AllocationRun, Appointment
from registrations.models import Household
from transparency import statistics
from transparency.statistics import bar_chart, percentile


@pytest.mark.django_db
def test_where_lists_accepted_states_since_when_and_those_not_yet(client):
    response = client.get("/where")
    page = response.content.decode()
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "Tamaulipas" in page and "Matamoros" in page
    assert "Chiapas" in page and "Tapachula" in page
    accepted, _sep, not_yet = page.partition("Not accepted yet")
    assert "Oaxaca" in not_yet and "Oaxaca" not in accepted.split("<tbody>")[1]
    assert "GeoNames" in page


@pytest.mark.django_db
def test_how_it_works_shows_the_policy_in_force_and_its_history(client, announced_policy):
    current = announced_policy
    AllocationPolicy.objects.filter(pk=current.pk).update(effective_from=dt.date.today() - dt.timedelta(days=5))
    AllocationPolicy.objects.create(
        version=current.version - 1 if current.version > 1 else 0,
        waiting_share=50,
        lottery_share=50,
        reserved_share=0,
        effective_from=dt.date.today() - dt.timedelta(days=40),
    )
    page = client.get("/how-it-works").content.decode()
    assert f"Reserved share: {current.reserved_share}%" in page
    assert f"Waiting time share: {current.waiting_share}%" in page
    assert "waiting time 30%, lottery 70%, reserved 0%" in page  # announced before it applies
    coming, _sep, earlier = page.partition("<h2>Earlier rules</h2>")
    assert "<h2>Coming changes</h2>" in coming and "waiting time 50%, lottery 50%, reserved 0%" in earlier
    assert "it is a scam" in page


def test_percentile_is_nearest_rank():
    assert percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert percentile([5], 0.9) == 5


def test_bar_chart_scales_to_the_tallest_bar():
    chart = bar_chart([("Brownsville, TX", 10), ("Hidalgo, TX", 5)], width=100, height=126)
    assert chart["bars"][0]["height"] == 100 and chart["bars"][1]["height"] == 50
    assert [bar["short_label"] for bar in chart["bars"]] == ["Brownsvill", "Hidalgo"]


@pytest.mark.django_db
def test_statistics_show_counts_charts_and_csv(client, maria, matamoros, brownsville):
    from tests.conftest import FAMILY, household_post

    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))
    household = Household.objects.get()
    Household.objects.filter(pk=household.pk).update(registered_at=timezone.now() - dt.timedelta(days=40))
    run = AllocationRun.objects.create(
        date=timezone.localdate(),
        policy=AllocationPolicy.objects.first(),
        seed_commitment="0" * 64,
        status=AllocationRun.Status.COMPLETED,
    )
    start = timezone.now()
    Appointment.objects.create(
        run=run,
        household=household,
        port=brownsville,
        date=timezone.localdate(),
        window_start=start,
        window_end=start + dt.timedelta(minutes=30),
        people=3,
        share="waiting",
        status="offered",
    )
    page = client.get("/statistics").content.decode()
    assert "<svg" in page and "<table>" in page
    # The chart's numbers are text in a table, not inside the SVG (axe cannot check text there).
    chart = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    assert "<text" not in chart and 'aria-hidden="true"' in chart
    assert f"<tr><td>{statistics.month_day(timezone.localdate())}</td><td>3</td></tr>" in page
    assert "1 appointments for families, 0 for one person alone: 3 people in all." in page
    assert "<td>40</td>" in page
    assert "María" not in page and household.reference not in page
    csv = client.get("/statistics.csv").content.decode()
    assert csv.splitlines()[0] == "date,port,households,people"
    assert f'{timezone.localdate().isoformat()},"{brownsville.name}",1,3' in csv


@pytest.mark.django_db
def test_public_pages_need_no_sign_in(client):
    for url in ("/where", "/how-it-works", "/draws", "/statistics", "/statistics.csv"):
        assert client.get(url).status_code == 200, url
    assert client.get("/draws/2020-01-01").status_code == 404
    assert client.get("/draws/not-a-date").status_code == 404
