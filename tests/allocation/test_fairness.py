"""Sanity statistics: a lottery that favours early registrations is seen at once."""

import datetime as dt

from allocation.engine import LOTTERY, Entry, Policy, Pool, PortDay, Result, Seat, allocate
from allocation.fairness import MIN_SAMPLE, is_skewed, lottery_statistics, week_start

DAY = dt.date(2030, 3, 4)
MONDAY_2030_01_07 = 1_893_974_400


def weekly_pool(weeks: int = 10, per_week: int = 40) -> Pool:
    return Pool.from_entries(
        [
            Entry(f"W{w:02d}-{n:03d}", 1, 1 + n % 3, MONDAY_2030_01_07 + w * 7 * 86400 + n * 60)
            for w in range(weeks)
            for n in range(per_week)
        ]
    )


def test_week_start_is_the_monday():
    assert week_start(MONDAY_2030_01_07 + 3 * 86400 + 5) == "2030-01-07"


def test_a_fair_draw_stays_under_the_threshold():
    pool = weekly_pool()
    result = allocate(pool, [PortDay(1, "p", 200, 10)], Policy(0, 100, 0), "fair seed", DAY)
    statistics = lottery_statistics(pool, result, Policy(0, 100, 0), DAY, {1: "p"})
    assert statistics["lottery_households"] >= MIN_SAMPLE
    assert not is_skewed(statistics, 20)


def test_a_draw_from_the_first_weeks_only_is_held():
    pool = weekly_pool()
    first_weeks = [Seat(i, 1, 0, LOTTERY) for i in range(60)]
    result = Result(seats=first_weeks, people={1: {"reserved": 0, "waiting": 0, "lottery": 120}})
    statistics = lottery_statistics(pool, result, Policy(0, 100, 0), DAY, {1: "p"})
    first = statistics["by_registration_week"][0]
    assert first["group"] == "2030-01-07" and first["selected_share"] == 66.67 and first["pool_share"] == 10.0
    assert statistics["max_gap_points"] > 50 and is_skewed(statistics, 20)


def test_days_waited_weighting_expects_more_winners_from_older_weeks():
    pool = weekly_pool()
    policy = Policy(0, 100, 0, "days_waited")
    result = allocate(pool, [PortDay(1, "p", 200, 10)], policy, "seed", DAY)
    weeks = lottery_statistics(pool, result, policy, DAY, {1: "p"})["by_registration_week"]
    assert weeks[0]["pool_share"] > weeks[-1]["pool_share"]
