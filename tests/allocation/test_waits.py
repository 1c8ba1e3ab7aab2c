"""Expected wait: place in the port's queue and a range of days."""

import datetime as dt
import io
import threading
import time

from django.core.management import call_command
from django.db.models import Count, Q, Sum
from django.utils import timezone

from allocation.synthetic import generate_households
from allocation.waits import (
    QueueDays,
    QueueSpeed,
    bucket_start,
    estimate_wait,
    households_ahead,
    lottery_day,
    speed_from,
    wait_for,
)
from registrations.models import Household
from shared.models import Port
from tests.allocation.conftest import DAY


def test_the_range_runs_from_the_fastest_to_the_slowest_pace():
    estimate = estimate_wait(households_ahead=99, people_ahead=297, size=3, speed=QueueSpeed(100, 60, 0.01))
    assert estimate.position == 100
    assert (estimate.earliest_days, estimate.latest_days) == (3, 5)


def test_the_range_starts_sooner_when_the_lottery_may_well_come_first():
    # 2,999 people ahead and the household: 30 draws for the line at its fastest, 50 at its slowest.
    # With a daily lottery chance of 1 in 1,000, 2 households in 100 are drawn by the 21st draw
    # (1 - 0.999 ** 21 = 2.08 %; by the 20th, 1.98 %): the range starts there.
    assert lottery_day(0.001) == 21
    estimate = estimate_wait(2000, 2999, 1, QueueSpeed(100, 60, 0.001))
    assert (estimate.earliest_days, estimate.latest_days) == (21, 50)
    assert estimate_wait(2000, 2999, 1, QueueSpeed(100, 60, 0.0)).earliest_days == 30  # no lottery
    assert estimate_wait(9, 90, 10, QueueSpeed(100, 60, 0.001)).earliest_days == 1  # the line comes first


def test_when_the_line_does_not_move_by_waiting_time_there_is_no_latest_day():
    estimate = estimate_wait(0, 0, 4, QueueSpeed(100, 0, 0.02))
    assert estimate.latest_days is None and estimate.earliest_days == 1


def test_the_pace_comes_from_recent_runs_at_todays_capacity_less_comebacks():
    recent = [{"capacity": 100, "people": 100, "waiting": 60}, {"capacity": 100, "people": 90, "waiting": 60}]
    # Capacity doubled since: 190 people a day, 120 by waiting time; a tenth of them came back.
    speed = speed_from(200, 60, recent, came_back=0.1, lottery_chance=0.01)
    assert (speed.fastest, speed.slowest) == (171.0, 101.0)
    assert speed_from(200, 60, [], came_back=0.5, lottery_chance=0) == QueueSpeed(200.0, 120.0, 0.0)


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
    days = QueueDays(first_build_in_background=False)
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


def exact_ahead(household: Household) -> tuple[int, int]:
    exact = (
        Household.objects.waiting()
        .filter(preferred_port_id=household.preferred_port_id)
        .filter(
            Q(registered_at__lt=household.registered_at) | Q(registered_at=household.registered_at, pk__lt=household.pk)
        )
        .aggregate(households=Count("pk"), people=Sum("size"))
    )
    return exact["households"], exact["people"] or 0


def test_households_registered_after_the_counts_were_built_get_the_exact_position(queue):
    days = QueueDays(first_build_in_background=False)
    days.rebuild()
    now = dt.datetime.now(dt.UTC)
    # A busy day of registrations after the rebuild (the newest always come last), and one of them leaves.
    generate_households(40, seed=8, days=1, now=now + dt.timedelta(days=1, hours=1, minutes=1))  # stamps end 1 h early
    Household.objects.filter(registered_at__gt=now).order_by("?").first().delete()
    for household in Household.objects.waiting().filter(registered_at__gt=now):
        assert households_ahead(household, days) == exact_ahead(household)


def test_a_stale_cache_is_rebuilt_in_the_background_while_views_use_the_last_counts(queue):
    release, started = threading.Event(), []

    class SlowRebuild(QueueDays):
        def rebuild(self) -> None:
            if self.built_at == float("-inf"):
                return super().rebuild()
            started.append(threading.current_thread().name)  # a real rebuild here would need its own database
            release.wait(10)

    days = SlowRebuild(first_build_in_background=False)
    household = Household.objects.waiting().order_by("-registered_at").first()
    first = households_ahead(household, days)
    days.built_at -= 2 * days.max_age
    began = time.monotonic()
    assert households_ahead(household, days) == first == households_ahead(household, days)
    assert time.monotonic() - began < 5 and started == ["queue-days"]  # one rebuild, not on this thread
    release.set()
    while days.refreshing and time.monotonic() - began < 10:
        time.sleep(0.01)
    assert not days.refreshing


def test_no_status_view_waits_for_a_workers_first_count_of_the_line(queue, maria, matamoros, brownsville, monkeypatch):
    """A worker's first build scans the whole line (seconds with 1,000,000 households): it runs in a thread
    while views count the line live. Here the build is held until the view has answered; had the view
    started it on its own thread, it would wait for the release that never comes and fail."""
    from allocation import waits
    from tests.conftest import FAMILY, household_post

    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    household = Household.objects.get(applicant__isnull=False)
    ahead = exact_ahead(household)
    started, release = threading.Event(), threading.Event()

    def held_build() -> None:
        started.set()
        assert threading.current_thread().name == "queue-days", "a view waited for the whole count"
        release.wait(10)  # a real build here would need its own database: the test's is in a transaction

    monkeypatch.setattr(waits.QUEUE_DAYS, "first_build_in_background", True)
    monkeypatch.setattr(waits.QUEUE_DAYS, "rebuild", held_build)
    page = maria.get("/household").content.decode()
    place = f"Your place in the waiting-time line at <bdi>{brownsville.name}</bdi>: {ahead[0] + 1}."
    assert ahead[0] > 10 and place in page
    assert started.wait(5) and not release.is_set()  # the build runs beside, still held
    assert place in maria.get("/household").content.decode()
    release.set()
    while waits.QUEUE_DAYS.refreshing:
        time.sleep(0.01)


def test_a_server_started_while_the_database_cannot_be_read_starts_and_counts_live(monkeypatch, caplog):
    """config/wsgi.py builds the counts as the server starts; a database not up yet must not stop the start."""
    from django.db import OperationalError

    queue = QueueDays()

    def unreachable() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(queue, "rebuild", unreachable)
    queue.build_before_serving()
    assert queue.built_at == float("-inf") and "views count live" in caplog.text


def test_a_household_registered_at_the_very_start_of_the_minutes_counted_live_is_ahead(queue):
    days = QueueDays(first_build_in_background=False)
    days.rebuild()
    since = bucket_start(days.complete_before)  # counted live from here, for anyone registered after the rebuild
    last = Household.objects.waiting().order_by("-registered_at").first()
    place = {"current_place": last.current_place, "preferred_port": last.preferred_port, "size": 3}
    at_start = Household.objects.create(reference="TSTART01", registered_at=since, **place)
    after = Household.objects.create(reference="TAFTER01", registered_at=since + dt.timedelta(minutes=20), **place)
    assert at_start.registered_at > last.registered_at
    assert households_ahead(after, days) == exact_ahead(after)


def test_minutes_registered_since_the_counts_were_built_are_added_so_a_first_view_counts_only_its_own_minute(
    queue, monkeypatch
):
    """After an announcement thousands register in minutes and each family then looks at its page: a view that
    counted everyone registered since the last build (up to 40 minutes of the rush) cost PostgreSQL milliseconds
    per thousand households. The minutes since are added each minute; the position stays exact."""
    from allocation import waits

    last = Household.objects.waiting().order_by("-registered_at").first()
    place = {"current_place": last.current_place, "preferred_port": last.preferred_port}
    # Registered in the minute before the build: in a bucket not complete when the counts were built.
    just_before = Household.objects.create(
        reference="RJUST0001", registered_at=timezone.now() - dt.timedelta(seconds=30), size=2, **place
    )
    days = QueueDays(first_build_in_background=False)
    days.rebuild()
    since = bucket_start(days.complete_before)

    def rush(start: dt.datetime, count: int, tag: str) -> list[Household]:
        return [
            Household.objects.create(
                reference=f"R{tag}{i:06d}", registered_at=start + dt.timedelta(seconds=50 * i), size=1 + i % 3, **place
            )
            for i in range(count)
        ]

    def later(minutes: int) -> None:
        monkeypatch.setattr(waits.timezone, "now", lambda: start + dt.timedelta(minutes=minutes))
        days.topped_up_at -= waits.TOP_UP_SECONDS + 1  # a minute later for the counts too

    start = max(since, just_before.registered_at) + dt.timedelta(seconds=1)
    first = rush(start, 20, "A")  # 16 minutes of registrations after the build
    later(18)
    for household in [
        just_before,
        *first,
        *Household.objects.waiting().filter(registered_at__lt=since).order_by("?")[:10],
    ]:
        assert households_ahead(household, days) == exact_ahead(household)
    for household in first:
        counted_live_from = days.before(household.preferred_port_id, household.registered_at)[2]
        assert household.registered_at - counted_live_from < dt.timedelta(minutes=1)

    second = rush(start + dt.timedelta(minutes=18), 6, "B")  # and 5 minutes more
    later(24)
    for household in [*first, *second]:
        assert households_ahead(household, days) == exact_ahead(household)
        counted_live_from = days.before(household.preferred_port_id, household.registered_at)[2]
        assert household.registered_at - counted_live_from < dt.timedelta(minutes=1)
