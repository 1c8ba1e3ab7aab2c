#!/usr/bin/env python
"""Benchmark: the status page's queue counts (allocation/waits.py) on a big, busy queue.

    .venv/bin/python scripts/bench_waits.py                 # SQLite in /tmp/cita-bench-waits.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_waits.py
    CITA_ROOT=/path/to/other/checkout .venv/bin/python scripts/bench_waits.py   # the same on other code
    .venv/bin/python scripts/bench_waits.py --households 2400   # a small queue, same shape (the smoke run)

Fills the database to 200,000 waiting households over 270 days plus a busy day (yesterday, UTC)
of 40,000 registrations (about 5,000 per port); --households N keeps those proportions. Then prints
how long one rebuild of the cached counts takes (every worker does one every half hour), how long
households_ahead() takes, with warm caches, for the last household of the busy day at its port, and
how long the view that finds the counts half an hour old, or not yet built, waits. Not part of the
test suite.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(os.environ.get("CITA_ROOT") or Path(__file__).resolve().parent.parent)
sys.path.insert(0, str(ROOT))
HOUSEHOLDS, BUSY_SHARE = 240_000, 1 / 6  # 200,000 over 270 days, 40,000 on the busy day


def setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SQLITE_PATH", "/tmp/cita-bench-waits.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(households: int) -> dt.datetime:
    from django.core.management import call_command

    from allocation.synthetic import generate_households
    from registrations.models import Household

    call_command("migrate", verbosity=0)
    busy_end = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.UTC) - dt.timedelta(seconds=1)
    if not Household.objects.exists():
        busy = round(households * BUSY_SHARE)
        print(f"Generating {households:,} households…", flush=True)
        generate_households(households - busy, seed=1, days=270)
        generate_households(busy, seed=2, days=1, now=busy_end)
        if os.environ.get("DATABASE_URL"):
            from django.db import connection

            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE registrations_household")
    return busy_end


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=HOUSEHOLDS, help="in an empty database (default 240,000)")
    households = parser.parse_args().households
    setup()
    from django.db import connection

    from allocation import waits
    from registrations.models import Household

    busy_end = prepare(households)
    rebuilds = []
    for _ in range(3):
        queue = waits.QueueDays(first_build_in_background=False)
        started = time.perf_counter()
        queue.rebuild()
        rebuilds.append(time.perf_counter() - started)
    late = Household.objects.waiting().filter(registered_at__lte=busy_end).order_by("-registered_at", "-pk").first()
    same_day = (
        Household.objects.waiting()
        .filter(preferred_port_id=late.preferred_port_id, registered_at__date=busy_end.date())
        .count()
    )
    ahead = waits.households_ahead(late, queue)
    times = []
    for _ in range(200):
        started = time.perf_counter()
        waits.households_ahead(late, queue)
        times.append(time.perf_counter() - started)
    unbuilt = waits.QueueDays()
    unbuilt.refresh_in_background = lambda: None  # type: ignore[method-assign]  # as if its first build ran still
    started = time.perf_counter()
    assert waits.households_ahead(late, unbuilt) == ahead
    first_view = time.perf_counter() - started
    queue.built_at -= 2 * queue.max_age  # half an hour later: the view that finds the counts stale
    started = time.perf_counter()
    waits.households_ahead(late, queue)
    stale_view = time.perf_counter() - started
    while getattr(queue, "refreshing", False):
        time.sleep(0.05)
    print(
        f"{connection.vendor}, code in {ROOT}, {Household.objects.waiting().count():,} waiting households "
        f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):\n"
        f"  rebuild of the cached counts: median {statistics.median(rebuilds):.3f} s of {rebuilds}\n"
        f"  households_ahead, last of {same_day:,} registrations that day at its port (position {ahead[0] + 1:,}): "
        f"median {statistics.median(times) * 1000:.2f} ms, p95 {sorted(times)[189] * 1000:.2f} ms\n"
        f"  the same call when the counts are half an hour old: {stale_view * 1000:.1f} ms\n"
        f"  the same call before the first build is done (the whole line counted live): {first_view * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
