"""The same seed gives the same draw on another machine: here, in separate Python processes with
different hash seeds (the order of sets and of dicts built from them differs between processes,
never within one, so a draw repeated in one process cannot show this risk)."""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Three ports, every share in play, households of mixed sizes, some carried over and some urgent.
DRAW = """
import datetime as dt, hashlib, json
from allocation.engine import Entry, Policy, Pool, PortDay, allocate
entries = [
    Entry(f"H{n:05d}", 1 + n % 3, 1 + n % 6, 1_700_000_000 + n * 600,
          urgency=(1 + n % 3) if n % 9 == 0 else 0, carried=n % 17 == 0)
    for n in range(1500)
]
pool = Pool.from_entries(entries)
days = [PortDay(3, "calexico", 120, 6), PortDay(1, "san-ysidro", 390, 18), PortDay(2, "brownsville", 200, 9)]
result = allocate(pool, days, Policy(60, 30, 10), "the revealed seed", dt.date(2030, 3, 4))
seats = [(pool.tickets[s.index], s.port, s.window, s.share) for s in result.seats]
print(hashlib.sha256(json.dumps([seats, sorted(result.carried_over)]).encode()).hexdigest(), len(seats))
"""


def draw_in_a_process(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run([sys.executable, "-c", DRAW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_same_seed_gives_the_same_seats_in_processes_with_different_hash_seeds():
    results = {seed: draw_in_a_process(seed) for seed in ("0", "1", "4242")}
    digest, seated = next(iter(results.values())).split()
    assert int(seated) > 100  # a real draw, not an empty one
    assert len(set(results.values())) == 1, results
    assert len(digest) == len(hashlib.sha256().hexdigest())
