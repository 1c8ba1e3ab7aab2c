"""An operator names a future drand round as the seed before the cut-off, and enters its value after."""

import datetime as dt
import io
import json
import subprocess
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from allocation.beacon import QUICKNET, first_round_after, round_time
from allocation.models import AllocationRun
from tests.transparency.test_draw_record import PYTHON, VERIFIER

VALUE = "a3f1c0ffee" * 6 + "abcd"


def allocate(*args: str) -> str:
    out = io.StringIO()
    call_command("allocate", *args, stdout=out)
    return out.getvalue()


def at(moment: dt.datetime):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_a_beacon_round_named_before_the_cut_off_becomes_the_seed(queue, client, tmp_path):
    now = timezone.now()
    cutoff = (now + dt.timedelta(hours=1)).replace(microsecond=0)
    date = (now + dt.timedelta(days=2)).date()
    number = first_round_after(QUICKNET, cutoff)
    assert round_time(QUICKNET, number - 1) <= cutoff < round_time(QUICKNET, number)
    commit = ["--date", date.isoformat(), "--commit-only", "--cutoff", cutoff.isoformat(), "--beacon-round"]
    with pytest.raises(CommandError, match=f"use round {number} or later"):
        allocate(*commit, str(number - 1))
    assert f"round {number}" in allocate(*commit, str(number))
    page = client.get(f"/draws/{date.isoformat()}").content.decode()
    assert f"Round {number} of the drand beacon, chain {QUICKNET}" in page and "Not before" in page

    with pytest.raises(CommandError, match=f"Enter the value of beacon round {number}"):
        allocate("--date", date.isoformat())
    with pytest.raises(CommandError, match="is published at"):
        allocate("--date", date.isoformat(), "--seed", VALUE)  # the round does not exist yet
    with at(round_time(QUICKNET, number) + dt.timedelta(seconds=5)):
        allocate("--date", date.isoformat(), "--seed", VALUE)
    run = AllocationRun.objects.get(date=date)
    assert run.seed == VALUE and run.status == AllocationRun.Status.COMPLETED

    with at(timezone.now() + dt.timedelta(days=4)):
        response = client.get(f"/draws/{date.isoformat()}.json")
    record = json.loads(response.content)
    assert record["beacon"]["round"] == number
    assert record["beacon"]["url"] == f"https://api.drand.sh/{QUICKNET}/public/{number}"
    (tmp_path / "record.json").write_bytes(response.content)
    result = subprocess.run(
        [PYTHON, "-I", str(VERIFIER), str(tmp_path / "record.json")], capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.startswith("MATCH") and record["beacon"]["url"] in result.stdout


def test_a_published_cut_off_holds_the_draw_back(queue):
    cutoff = timezone.now() + dt.timedelta(hours=2)
    date = (timezone.now() + dt.timedelta(days=1)).date().isoformat()
    allocate("--date", date, "--commit-only", "--cutoff", cutoff.isoformat())
    with pytest.raises(CommandError, match="cut-off"):
        allocate("--date", date)
    with at(cutoff + dt.timedelta(minutes=1)):
        allocate("--date", date)
    assert AllocationRun.objects.get(date=date).started_at > cutoff
