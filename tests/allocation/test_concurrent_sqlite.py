"""Two `allocate` processes for the same date on one SQLite file: one draws, the other finds it done."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.allocation.conftest import DAY

ROOT = Path(__file__).resolve().parents[2]


def manage(env: dict, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


@pytest.mark.sqlite_only  # the SQLite file-lock story
def test_two_runs_at_once_cannot_both_proceed_on_sqlite(tmp_path):
    env = {**os.environ, "SQLITE_PATH": str(tmp_path / "cita.sqlite3")}
    env.pop("DATABASE_URL", None)
    for args in (["migrate", "-v", "0"], ["generate_households", "--count", "400", "--seed", "5"]):
        process = manage(env, *args)
        assert process.wait(timeout=300) == 0, process.stderr.read()
    runs = [manage(env, "allocate", "--date", DAY.isoformat(), "--seed", "same") for _ in range(2)]
    outputs = [(run.wait(timeout=300), run.stdout.read(), run.stderr.read()) for run in runs]
    assert [code for code, _, _ in outputs] == [0, 0], outputs
    said = sorted("already allocated" in out for _, out, _ in outputs)
    assert said == [False, True], outputs
    with sqlite3.connect(tmp_path / "cita.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM allocation_allocationrun").fetchone()[0] == 1
        appointments = db.execute(
            "SELECT count(*), count(DISTINCT household_id) FROM allocation_appointment"
        ).fetchone()
        offered = db.execute("SELECT count(*) FROM registrations_household WHERE status = 'offered'").fetchone()[0]
    assert appointments[0] == appointments[1] == offered > 0
