"""Sanity statistics for a draw, published with every run so a skewed lottery is seen at once.

For the lottery share we compare, group by group (registration week, household size, port),
the share of lottery winners with the share the group would get on average: each port's
winners spread over that port's lottery pool in proportion to its tickets. The waiting-time
share favours the oldest by design, so it is reported apart and never counted as skew.
"""

import calendar
import datetime as dt
from bisect import bisect_left
from collections import Counter, defaultdict
from itertools import repeat
from operator import add, floordiv

from allocation.engine import DAYS_WAITED, LOTTERY, WAITING, Policy, Pool, Result, days_waited

WEEK = 7 * 86400
MONDAY = 3 * 86400  # 1970-01-01 was a Thursday
# Below this many lottery households the shares are too noisy to judge: reported, never held.
MIN_SAMPLE = 30


def week_start(priority: int) -> str:
    """The Monday (UTC) of the week a registration time falls in."""
    return (dt.date(1970, 1, 1) + dt.timedelta(seconds=((priority + MONDAY) // WEEK) * WEEK - MONDAY)).isoformat()


def _weeks(priorities, lo: int, hi: int) -> Counter:
    """Households per registration week in a slice sorted by priority (by bisection, not one by one)."""
    counts: Counter = Counter()
    i = lo
    while i < hi:
        week = (priorities[i] + MONDAY) // WEEK
        j = bisect_left(priorities, (week + 1) * WEEK - MONDAY, i, hi)
        counts[week] = j - i
        i = j
    return counts


def _groups(
    pool: Pool, lo: int, hi: int, excluded: list[int], weights: list[int] | None, sizes: Counter | None
) -> tuple[Counter, Counter]:
    """Tickets of a port's lottery pool per registration week and per household size."""
    if weights is None:
        by_week, by_size = _weeks(pool.priorities, lo, hi), Counter(sizes or pool.sizes[lo:hi])
        for i in excluded:
            by_week[(pool.priorities[i] + MONDAY) // WEEK] -= 1
            by_size[pool.sizes[i]] -= 1
        return by_week, by_size
    weeks_of = map(floordiv, map(add, pool.priorities[lo:hi], repeat(MONDAY)), repeat(WEEK))
    by_week, by_size = Counter(), Counter()
    skip = set(excluded)
    for offset, (week, size, weight) in enumerate(zip(weeks_of, pool.sizes[lo:hi], weights)):
        if lo + offset not in skip:
            by_week[week] += weight
            by_size[size] += weight
    return by_week, by_size


def _compare(expected: dict, observed: Counter, total: int, label) -> tuple[list[dict], float]:
    rows, worst = [], 0.0
    for key in sorted(set(expected) | set(observed)):
        pool_share = expected.get(key, 0.0) / total if total else 0.0
        selected_share = observed.get(key, 0) / total if total else 0.0
        gap = abs(selected_share - pool_share) * 100
        worst = max(worst, gap)
        rows.append(
            {
                "group": label(key),
                "pool_share": round(pool_share * 100, 2),
                "selected_share": round(selected_share * 100, 2),
                "selected": observed.get(key, 0),
            }
        )
    return rows, round(worst, 2)


def lottery_statistics(pool: Pool, result: Result, policy: Policy, date: dt.date, codes: dict[int, str]) -> dict:
    """Selected versus expected shares of lottery winners by week, size and port, and the largest gap."""
    cutoff = calendar.timegm(date.timetuple())
    before: dict[int, list[int]] = defaultdict(list)
    winners: dict[int, list[int]] = defaultdict(list)
    for seat in result.seats:
        (winners if seat.share == LOTTERY else before)[seat.port].append(seat.index)
    expected_week: dict[int, float] = defaultdict(float)
    expected_size: dict[int, float] = defaultdict(float)
    observed_week: Counter = Counter()
    observed_size: Counter = Counter()
    by_port = []
    for key in sorted(set(pool.ports)):
        lo, hi = pool.port_range(key)
        chosen = winners.get(key, [])
        weights = None
        if policy.weighting == DAYS_WAITED:
            weights = [days_waited(p, cutoff) for p in pool.priorities[lo:hi]]
        by_week, by_size = _groups(pool, lo, hi, before.get(key, []), weights, result.pool_sizes.get(key))
        tickets = sum(by_week.values())
        by_port.append(
            {"group": codes.get(key, str(key)), "pool": hi - lo - len(before.get(key, [])), "selected": len(chosen)}
        )
        if not chosen or not tickets:
            continue
        for week, count in by_week.items():
            expected_week[week] += len(chosen) * count / tickets
        for size, count in by_size.items():
            expected_size[size] += len(chosen) * count / tickets
        for i in chosen:
            observed_week[(pool.priorities[i] + MONDAY) // WEEK] += 1
            observed_size[pool.sizes[i]] += 1
    total = sum(observed_size.values())
    weeks, week_gap = _compare(expected_week, observed_week, total, lambda w: week_start(w * WEEK - MONDAY))
    sizes, size_gap = _compare(expected_size, observed_size, total, str)
    fifo = [seat.index for seat in result.seats if seat.share == WAITING]
    return {
        "lottery_households": total,
        "max_gap_points": max(week_gap, size_gap),
        "by_registration_week": weeks,
        "by_household_size": sizes,
        "by_port": by_port,
        "waiting_share": {
            "households": len(fifo),
            "oldest_week": week_start(min(pool.priorities[i] for i in fifo)) if fifo else None,
            "newest_week": week_start(max(pool.priorities[i] for i in fifo)) if fifo else None,
        },
    }


def is_skewed(statistics: dict, threshold: float) -> bool:
    """Hold a run when enough lottery winners are drawn and some group's share is off by more than the threshold."""
    return statistics["lottery_households"] >= MIN_SAMPLE and statistics["max_gap_points"] > float(threshold)
