"""Repeating a draw reads its whole recorded pool: for 1,000,000 households verify_allocation must stay
under 300 MB (issue 18; it peaked at 321 MB on SQLite and 371 MB on PostgreSQL with a Python int per
value). The pool is read into compact columns: about 21 bytes a household, plus the stored bytes."""

import datetime as dt
import random
import tracemalloc

from allocation import engine
from allocation.pool import canonical_bytes, read_snapshot

DAY = dt.date(2026, 12, 3)


def test_a_recorded_pool_is_read_in_a_few_dozen_bytes_a_household():
    n, rng = 100_000, random.Random(18)
    ports = sorted(rng.randrange(3) for _ in range(n))
    priorities = []
    for key in range(3):
        priorities += sorted(1_700_000_000 + rng.randrange(270 * 86400) for _ in range(ports.count(key)))
    pool = engine.Pool(
        list(range(1, n + 1)), ports, [rng.randint(1, 8) for _ in range(n)], priorities, [0] * n, [0] * n
    )
    stored = canonical_bytes(pool, DAY, {0: "a", 1: "b", 2: "c"})
    del pool, ports, priorities
    tracemalloc.start()
    snapshot = read_snapshot(stored)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak / n < 60, f"{peak / n:.0f} bytes a household"
    result = engine.allocate(snapshot.pool, [engine.PortDay(0, "a", 200, 4)], engine.Policy(50, 50, 0), b"s", DAY)
    assert result.seats and all(snapshot.codes[seat.port] == "a" for seat in result.seats)
