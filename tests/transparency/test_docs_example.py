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
    keys = ("waiting_share", "lottery_share", "reserved_share", "weighting", "draw_rule")
    rules = Policy(*(record["policy"][k] for k in keys))
    assert record["format"] == "cita-draw-record 2" and rules.draw_rule == 2
    result = allocate(
        pool, [PortDay(1, port["code"], port["capacity"], len(port["windows"]))], rules, record["seed"], date
    )

    seats = [[pool.tickets[s.index], port["code"], s.share, s.window] for s in result.seats]
    assert seats == record["outcome"]["seats"]["rows"]
    assert [pool.tickets[i] for i in result.draws[1]] == record["outcome"]["lottery_draws"]["nogales"]
    assert [pool.tickets[i] for i in result.carried_over] == record["outcome"]["carried_over"] == [102, 160]
    digest = pool_hash(canonical_bytes(pool, date, {1: "nogales"}))
    assert digest == record["pool_hash"] and digest in spec and record["seed_commitment"] in spec
    for seat in seats:
        assert f"`[{seat[0]}, {seat[2]}, {seat[3]}]`" in spec

    result = subprocess.run(
        [PYTHON, "-I", str(VERIFIER), str(DOCS / "draw-example.json")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("MATCH: 2030-03-04, 7 households in the pool, 5 seats")


def test_the_worked_example_under_rule_1_is_what_the_page_says_and_still_verifies(tmp_path):
    # The same pool drawn by rule 1 (runs recorded before 2026-12-02): 160 is passed over, the drawing
    # goes on to draw 9, and 141 is seated by the lottery. A format 1 record still verifies.
    record = json.loads((DOCS / "draw-example.json").read_text())
    spec = (DOCS / "allocation.md").read_text()
    del record["policy"]["draw_rule"]
    record["format"] = "cita-draw-record 1"
    record["outcome"]["lottery_draws"]["nogales"] = [155, 160, 130, 117, 101, 130, 101, 101, 141]
    record["outcome"]["carried_over"] = [102]
    record["outcome"]["seats"]["rows"][-1] = [141, "nogales", "lottery", 1]
    record["ports"][0]["counts"].update(waiting=5, lottery=4)
    path = tmp_path / "rule-1.json"
    path.write_text(json.dumps(record))
    result = subprocess.run([PYTHON, "-I", str(VERIFIER), str(path)], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("MATCH:"), result.stdout
    assert "155, 160, 130, 117, 101, 130, 101, 101, 141" in " ".join(spec.split())

    # The same outcome claimed under rule 2 is a difference: the rule a record names is the one checked.
    record["format"], record["policy"]["draw_rule"] = "cita-draw-record 2", 2
    path.write_text(json.dumps(record))
    result = subprocess.run([PYTHON, "-I", str(VERIFIER), str(path)], capture_output=True, text=True)
    assert result.returncode == 1 and "DIFFERENCE: lottery at nogales, draw 3" in result.stdout
