"""Expected wait: place in the port's queue and a range of days."""

import io

from django.core.management import call_command
from django.db.models import Count, Q, Sum

from allocation.models import Port
from allocation.waits import QueueDays, estimate_wait, households_ahead, wait_for
from registrations.models import Household
from tests.allocation.conftest import DAY


def test_the_range_runs_from_all_seats_to_the_waiting_share_alone():
    estimate = estimate_wait(
        households_ahead=99, people_ahead=297, size=3, daily_capacity=100, waiting_share=60, lottery_chance=0.01
    )
    assert estimate.position == 100
    assert (estimate.earliest_days, estimate.latest_days) == (3, 5)


def test_with_no_waiting_share_there_is_no_latest_day():
    estimate = estimate_wait(0, 0, 4, daily_capacity=100, waiting_share=0, lottery_chance=0.02)
    assert estimate.latest_days is None and estimate.earliest_days == 1


def test_the_oldest_household_is_first_in_line(queue):
    port = Port.objects.get(code="el-paso")
    households = list(Household.objects.filter(preferred_port=port).order_by("registered_at", "pk"))
    first, third = wait_for(households[0]), wait_for(households[2])
    assert first.position == 1 and first.people_ahead == 0
    assert third.position == 3 and third.people_ahead == households[0].size + households[1].size
    assert first.earliest_days == 1 and first.latest_days == 1


def test_the_estimate_uses_recent_runs_and_stops_once_offered(queue):
    call_command("allocate", "--date", DAY.isoformat(), stdout=io.StringIO())
    offered = Household.objects.filter(status=Household.Status.OFFERED).first()
    assert wait_for(offered) is None
    waiting = Household.objects.filter(status=Household.Status.WAITING, preferred_port__code="san-ysidro").first()
    estimate = wait_for(waiting)
    assert 0 < estimate.lottery_chance < 1
    assert estimate.earliest_days <= estimate.latest_days


def test_the_cached_day_counts_give_the_exact_position(queue):
    days = QueueDays()
    for household in Household.objects.waiting().order_by("?")[:25]:
        exact = (
            Household.objects.waiting()
            .filter(preferred_port_id=household.preferred_port_id)
            .filter(
                Q(registered_at__lt=household.registered_at)
                | Q(registered_at=household.registered_at, pk__lt=household.pk)
            )
            .aggregate(households=Count("pk"), people=Sum("size"))
        )
        assert households_ahead(household, days) == (exact["households"], exact["people"] or 0)
