"""The worked example in docs/allocation.md is true: the engine, the pool bytes and the verifier all agree with it."""

import calendar
import datetime as dt
import json
import subprocess
from pathlib import Path

from django.conf import settings

from allocation.engine import Entry, Policy, Pool, PortDay, allocate
from allocation.pool import canonical_bytes, pool_hash
from tests.transparency.test_draw_record import PYTHON, VERIFIER

DOCS = Path(settings.BASE_DIR) / "docs"


def test_the_worked_example_is_what_the_engine_gives_and_the_verifier_accepts():
    record = json.loads((DOCS / "draw-example.json").read_text())
    spec = (DOCS / "allocation.md").read_text()
    date = dt.date.fromisoformat(record["date"])
    midnight = calendar.timegm(date.timetuple())
    entries = [
        Entry(ticket, 1, size, midnight - days * 86400, urgency, bool(carried))
        for ticket, _port, size, _rank, days, urgency, carried in record["pool"]["rows"]
    ]
    pool = Pool.from_entries(entries)
    port = record["ports"][0]
    rules = Policy(*(record["policy"][k] for k in ("waiting_share", "lottery_share", "reserved_share", "weighting")))
    result = allocate(
        pool, [PortDay(1, port["code"], port["capacity"], len(port["windows"]))], rules, record["seed"], date
    )

    seats = [[pool.tickets[s.index], port["code"], s.share, s.window] for s in result.seats]
    assert seats == record["outcome"]["seats"]["rows"]
    assert [pool.tickets[i] for i in result.draws[1]] == record["outcome"]["lottery_draws"]["nogales"]
    digest = pool_hash(canonical_bytes(pool, date, {1: "nogales"}))
    assert digest == record["pool_hash"] and digest in spec and record["seed_commitment"] in spec
    for seat in seats:
        assert f"`[{seat[0]}, {seat[2]}, {seat[3]}]`" in spec

    result = subprocess.run(
        [PYTHON, "-I", str(VERIFIER), str(DOCS / "draw-example.json")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("MATCH: 2030-03-04, 7 households in the pool, 5 seats")
