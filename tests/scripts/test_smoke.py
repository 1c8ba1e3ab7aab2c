"""A short run of every load and fault script and the cheap benchmarks, so they keep working as the
code changes under them (they are 2,800 lines nothing else runs).

Tiny sizes and durations against real gunicorn and PostgreSQL: each script starts its own
throw-away server, as when run by hand, and they run side by side to keep this to about a minute.
The figures mean nothing here; each script's own checks must pass (no 5xx, no household lost or
doubled, recovery after the fault, the same draw again) and it must print its result lines.
Only with -m scripts: scripts/test.sh runs it after the PostgreSQL stage.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.scripts

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ["--source", "worktree"]  # the checkout under test, not a copy of the last commit

# script and arguments → lines its output must contain
RUNS = {
    "load test, every scenario": (
        ["scripts/load_test.py", "--scenario", "all", "--duration", "2", "--users", "4", "--connections", "4"]
        + ["--workers", "2", "--pool", "300", "--status-checks", "1", *SOURCE],
        ["Registrations the client saw succeed:", "== morning rush:", "verify_allocation: exit 0: MATCH", "OK: no 5xx"],
    ),
    "drill: hang up mid-request": (
        ["scripts/faults.py", "drop", "--count", "12", "--concurrency", "4", *SOURCE],
        ["\nOK"],
    ),
    "drill: database restart": (
        ["scripts/faults.py", "db-restart", "--users", "4", "--duration", "5", "--before", "1.5", "--down", "1.5"]
        + SOURCE,
        ["\nOK"],
    ),
    "drill: allocate killed": (
        ["scripts/faults.py", "allocate-kill", "--trials", "1", "--pool", "300", *SOURCE],
        ["\nOK"],
    ),
    "benchmark: allocation": (
        ["scripts/bench_allocation.py", "--count", "2000", "--repeat", "1"],
        ["ratio allocate / read:", "peak memory of the allocation:"],
    ),
    "benchmark: encryption": (
        ["scripts/bench_encryption.py", "--rounds", "2"],
        ["ms crypto", "One call on a 20-character name"],
    ),
}
# Not run here: bench_record.py and bench_waits.py build 1,000,000 households and take no size;
# faults.py disk-full must fill a tmpfs (75 s alone) and, run beside the others, once reported an
# "urgent delivery of message failed" traceback while the disk was full (docs/reliability.md).


def test_every_load_and_fault_script_runs_and_passes_its_own_checks(tmp_path):
    # A drill stops and fills its PostgreSQL: never the suite's, so each script starts its own.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PGDATA_TEST", "PG_BINDIR", "AS_PG"}}
    env["SQLITE_PATH"] = str(tmp_path / "bench.sqlite3")  # bench_allocation's database
    runs = {}
    for name, (command, _expected) in RUNS.items():
        log = tempfile.TemporaryFile(mode="w+", dir=tmp_path)
        process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        runs[name] = (process, log)
    problems = []
    for name, (process, log) in runs.items():
        try:
            code = process.wait(timeout=400)
        except subprocess.TimeoutExpired:
            process.kill()
            code = "timeout"
        log.seek(0)
        output = log.read()
        missing = [line for line in RUNS[name][1] if line not in output]
        if code != 0 or missing:
            problems.append(f"{name}: exit {code}, missing {missing}\n{output[-3000:]}")
    assert not problems, "\n\n".join(problems)
