"""Expected wait: a household's place in its port's waiting-time queue and a range of days.

The range, in days from the next draw (see docs/allocation.md, "Expected wait"):
- latest: the waiting-time share alone reaches the household, with everyone ahead still waiting;
- earliest: every seat of the port goes to the people ahead, in order (people ahead also leave
  through the lottery, the reserved share or by withdrawing, so the truth falls in between);
- plus the daily chance of being drawn in the lottery before that.
"""

import datetime as dt
import math
import time
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from allocation.models import AllocationRun, Port
from allocation.runs import policy_for
from registrations.models import Household

RECENT_RUNS = 7


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 1 = next in line at the port
    people_ahead: int
    earliest_days: int
    latest_days: int | None  # None when the policy gives no seats by waiting time
    lottery_chance: float  # chance of being drawn on a given day, 0 to 1


def estimate_wait(
    households_ahead: int,
    people_ahead: int,
    size: int,
    daily_capacity: float,
    waiting_share: int,
    lottery_chance: float,
) -> WaitEstimate:
    """Days until the queue reaches the household: all seats at best, the waiting-time share alone at worst."""
    needed = people_ahead + size
    earliest = math.ceil(needed / daily_capacity) if daily_capacity > 0 else None
    by_waiting = daily_capacity * waiting_share / 100
    latest = math.ceil(needed / by_waiting) if by_waiting > 0 else None
    return WaitEstimate(households_ahead + 1, people_ahead, earliest or 0, latest, lottery_chance)


class DrawFacts:
    """The latest recorded run and the waiting-time share in force, re-read at most every minute per
    process: they change once a day, and the status page is the busiest page of all."""

    def __init__(self, max_age_seconds: float = 60) -> None:
        self.max_age = max_age_seconds
        self.read_at = -math.inf
        self.latest_run: int | None = None
        self.waiting_share = 0

    def get(self) -> tuple[int | None, int]:
        if time.monotonic() - self.read_at > self.max_age:
            done = AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED)
            self.latest_run = done.aggregate(pk=Max("pk"))["pk"]
            self.waiting_share = policy_for(timezone.localdate()).waiting_share
            self.read_at = time.monotonic()
        return self.latest_run, self.waiting_share


DRAW_FACTS = DrawFacts()


def recent_capacity(port: Port, latest_run: int | None) -> tuple[float, float]:
    """Mean people per day over the last runs (the usual capacity before any), and the last lottery chance.

    Kept per process until a new run is recorded: the status page must not decode seven run
    summaries on every view."""
    return _recent_capacity(port.code, port.daily_capacity, latest_run)


@lru_cache(maxsize=64)
def _recent_capacity(code: str, daily_capacity: int, latest_run: int | None) -> tuple[float, float]:
    recent = list(
        AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED)
        .order_by("-date")
        .values_list("summary", "statistics")[:RECENT_RUNS]
    )
    capacities = [s["ports"][code]["capacity"] for s, _ in recent if code in s.get("ports", {})]
    capacity = sum(capacities) / len(capacities) if capacities else float(daily_capacity)
    chance = 0.0
    for row in recent[0][1].get("by_port", []) if recent else []:
        if row["group"] == code and row["pool"]:
            chance = row["selected"] / row["pool"]
    return capacity, chance


class QueueDays:
    """Waiting households and people per port and registration day (UTC), rebuilt at most every
    half hour per process: one grouped scan instead of counting the whole queue on every view.
    Earlier days change only at a draw or a cancellation (new registrations are always today,
    which is counted exactly), so a half-hour-old count moves a position by a few places at most."""

    def __init__(self, max_age_seconds: float = 1800) -> None:
        self.max_age = max_age_seconds
        self.built_at = -math.inf
        self.by_port: dict[int, tuple[list[dt.date], list[int], list[int]]] = {}

    def before(self, port_id: int, day: dt.date) -> tuple[int, int]:
        """Households and people waiting at the port who registered on an earlier day."""
        if time.monotonic() - self.built_at > self.max_age:
            self.rebuild()
        days, households, people = self.by_port.get(port_id, ([], [0], [0]))
        i = bisect_left(days, day)
        return households[i], people[i]

    def rebuild(self) -> None:
        rows = (
            Household.objects.waiting()
            .annotate(day=TruncDate("registered_at", tzinfo=dt.UTC))
            .values_list("preferred_port_id", "day")
            .annotate(households=Count("pk"), people=Sum("size"))
            .order_by("preferred_port_id", "day")
        )
        by_port: dict[int, tuple[list[dt.date], list[int], list[int]]] = {}
        for port_id, day, households, people in rows:
            days, total_households, total_people = by_port.setdefault(port_id, ([], [0], [0]))
            days.append(day)
            total_households.append(total_households[-1] + households)
            total_people.append(total_people[-1] + (people or 0))
        self.by_port, self.built_at = by_port, time.monotonic()


QUEUE_DAYS = QueueDays()


def households_ahead(household: Household, queue: QueueDays = QUEUE_DAYS) -> tuple[int, int]:
    """Households and people ahead at the port: earlier days from the cached counts, the same day counted exactly."""
    registered = household.registered_at.astimezone(dt.UTC)
    day_start = dt.datetime.combine(registered.date(), dt.time(), tzinfo=dt.UTC)
    earlier_households, earlier_people = queue.before(household.preferred_port_id, registered.date())
    same_day = (
        Household.objects.waiting()
        .filter(preferred_port_id=household.preferred_port_id, registered_at__gte=day_start)
        .filter(Q(registered_at__lt=registered) | Q(registered_at=registered, pk__lt=household.pk))
        .aggregate(households=Count("pk"), people=Sum("size"))
    )
    return earlier_households + same_day["households"], earlier_people + (same_day["people"] or 0)


def wait_for(household: Household) -> WaitEstimate | None:
    """The estimate for a waiting household (None once it has an appointment or is closed)."""
    if household.status != Household.Status.WAITING:
        return None
    ahead_households, ahead_people = households_ahead(household)
    latest_run, waiting_share = DRAW_FACTS.get()
    capacity, chance = recent_capacity(household.preferred_port, latest_run)
    return estimate_wait(ahead_households, ahead_people, household.size, capacity, waiting_share, chance)
