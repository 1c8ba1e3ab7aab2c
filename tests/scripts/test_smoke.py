"""A short run of every load and fault script and the benchmarks, so they keep working as the code
changes under them (they are 3,300 lines nothing else runs).

Tiny sizes and durations against real gunicorn and PostgreSQL: each script starts its own
throw-away server (and database), as when run by hand. All of them start at once, when the first
test here asks, and run side by side; each test then waits for its own script. The figures mean
nothing here; each script's own checks must pass (no 5xx, no household lost or doubled, recovery
after the fault, the same draw again, nothing left unsent) and it must print its result lines.
Only with -m scripts: scripts/test.sh runs it beside the PostgreSQL stage.
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
AS_ROOT = os.geteuid() == 0

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
    # As root only (it mounts a tmpfs for PostgreSQL's data directory): CI runs the test command as root.
    "drill: disk full": (
        ["scripts/faults.py", "disk-full", "--users", "8", "--headroom", "3", "--full", "2", *SOURCE],
        ["No space left on device", "Outbox:", "sender loop still running", "\nOK"],
    ),
    # The script's own workings, not the machine's: a view on a machine at load 20 may take seconds.
    "soak: the slowest status view": (
        ["scripts/soak.py", "--minutes", "0.1", "--households", "2000", "--sessions", "200", "--rate", "10"]
        + ["--threads", "2", "--stall-ms", "60000", "--start-seconds", "2", *SOURCE],
        ["2,000 waiting households, 200 signed in", "while the 5 workers started", "all 0.1 minutes:", "no stall: the"],
    ),
    "benchmark: allocation": (
        ["scripts/bench_allocation.py", "--count", "2000", "--repeat", "1"],
        ["ratio allocate / read:", "peak memory of the allocation:"],
    ),
    "benchmark: encryption": (
        ["scripts/bench_encryption.py", "--rounds", "2"],
        ["ms crypto", "One call on a 20-character name"],
    ),
    "benchmark: public record of a draw": (
        ["scripts/bench_record.py", "--households", "2000"],
        ["build the record once:", "download (gzip, loopback):"]
        + [f"verify_draw.py on the {what}: " for what in ("URL", "gzip file", "JSON file")],
    ),
    "benchmark: queue counts": (
        ["scripts/bench_waits.py", "--households", "2400"],
        ["rebuild of the cached counts: median", "households_ahead, last of", "when the counts are half an hour old"],
    ),
}
NEEDS_ROOT = {"drill: disk full"}
TIMEOUT = 600  # seconds each script is waited for: they take minutes on a machine shared at load 20


@pytest.fixture(scope="module")
def started(tmp_path_factory):
    """Every script that can run here, started at once: name → (process, its output file)."""
    tmp = tmp_path_factory.mktemp("scripts")
    # A drill stops and fills its PostgreSQL: never the suite's, so each script starts its own.
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "PGDATA_TEST", "PG_BINDIR", "AS_PG"}}
    env["PYTHONUNBUFFERED"] = "1"  # a script stopped at the timeout still shows how far it came
    runs = {}
    for name, (command, _expected) in RUNS.items():
        if name in NEEDS_ROOT and not AS_ROOT:
            continue
        log = tempfile.TemporaryFile(mode="w+", dir=tmp)
        own = {**env, "SQLITE_PATH": str(tmp / f"bench-{len(runs)}.sqlite3")}  # the benchmarks' databases
        process = subprocess.Popen([sys.executable, *command], cwd=ROOT, env=own, stdout=log, stderr=subprocess.STDOUT)
        runs[name] = (process, log)
    yield runs
    for process, log in runs.values():
        if process.poll() is None:
            process.kill()
            process.wait()
        log.close()


@pytest.mark.parametrize("name", RUNS)
def test_the_script_runs_and_passes_its_own_checks(name, started):
    if name in NEEDS_ROOT and not AS_ROOT:
        pytest.skip("the disk-full drill mounts a tmpfs: it needs root (the test command runs as root on CI)")
    process, log = started[name]
    try:
        code = process.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        code = "timeout"
    log.seek(0)
    output = log.read()
    missing = [line for line in RUNS[name][1] if line not in output]
    assert code == 0 and not missing, f"{name}: exit {code}, missing {missing}\n{output[-3000:]}"
