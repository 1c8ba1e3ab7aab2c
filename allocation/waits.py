"""Expected wait: a household's place in its port's waiting-time queue and a range of days.

The range, in days from the next draw (see docs/allocation.md, "Expected wait"):
- latest: the waiting-time share alone reaches the household, with everyone ahead still waiting;
- earliest: every seat of the port goes to the people ahead, in order (people ahead also leave
  through the lottery, the reserved share or by withdrawing, so the truth falls in between);
- plus the daily chance of being drawn in the lottery before that.
"""

import math
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
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


def recent_capacity(port: Port) -> tuple[float, float]:
    """Mean people per day over the last runs (the usual capacity before any), and the last lottery chance."""
    recent = list(
        AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED)
        .order_by("-date")
        .values_list("summary", "statistics")[:RECENT_RUNS]
    )
    capacities = [s["ports"][port.code]["capacity"] for s, _ in recent if port.code in s.get("ports", {})]
    capacity = sum(capacities) / len(capacities) if capacities else float(port.daily_capacity)
    chance = 0.0
    for row in recent[0][1].get("by_port", []) if recent else []:
        if row["group"] == port.code and row["pool"]:
            chance = row["selected"] / row["pool"]
    return capacity, chance


def wait_for(household: Household) -> WaitEstimate | None:
    """The estimate for a waiting household (None once it has an appointment or is closed)."""
    if household.status != Household.Status.WAITING:
        return None
    ahead = (
        Household.objects.waiting()
        .filter(preferred_port_id=household.preferred_port_id)
        .filter(
            Q(registered_at__lt=household.registered_at) | Q(registered_at=household.registered_at, pk__lt=household.pk)
        )
        .aggregate(households=Count("pk"), people=Sum("size"))
    )
    capacity, chance = recent_capacity(household.preferred_port)
    policy = policy_for(timezone.localdate())
    return estimate_wait(
        ahead["households"], ahead["people"] or 0, household.size, capacity, policy.waiting_share, chance
    )
