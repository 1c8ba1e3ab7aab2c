"""Anyone with a browser and Python 3 re-runs a published draw: /draws/<date>.json and verify_draw.py."""

import datetime as dt
import gzip
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride, RunInputs
from allocation.runs import void_run
from allocation.synthetic import generate_households
from registrations.models import Household, VulnerabilityRequest
from shared.models import Port

DAY = dt.date(2025, 3, 4)
DAYS = [DAY + dt.timedelta(days=n) for n in range(3)]
VERIFIER = Path(settings.BASE_DIR) / "transparency" / "verify_draw.py"
PYTHON = shutil.which("python3") or sys.executable


def verifier(source: str | Path, hash_seed: str | None = None) -> subprocess.CompletedProcess:
    """The verifier as an outsider runs it: a separate, isolated Python (-I: a random hash seed each run),
    or, given hash_seed, a plain python3 with that PYTHONHASHSEED."""
    return subprocess.run(
        [PYTHON, "-I", str(VERIFIER), str(source)] if hash_seed is None else [PYTHON, str(VERIFIER), str(source)],
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": hash_seed or "0", "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


def allocate(date: dt.date) -> None:
    call_command("allocate", "--date", date.isoformat(), "--seed", f"beacon-{date}", stdout=io.StringIO())


@pytest.fixture
def three_draws(db) -> dict:
    """Three real draws: an override and a carried-over family, then days-waited weighting, then a held run."""
    Port.objects.update(daily_capacity=60)
    generate_households(1000, seed=5, days=120, now=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    for urgency, household in enumerate(Household.objects.order_by("-registered_at")[:6], start=1):
        VulnerabilityRequest.objects.create(
            household=household, category="medical", description="x", urgency=1 + urgency % 3, status="approved"
        )
    calexico = Port.objects.get(code="calexico")
    CapacityOverride.objects.create(port=calexico, date=DAYS[0], capacity=11, reason="lanes closed")
    family = Household.objects.filter(preferred_port=calexico).order_by("registered_at").first()
    Household.objects.filter(pk=family.pk).update(size=12)
    AllocationPolicy.objects.create(
        version=2, waiting_share=50, lottery_share=40, reserved_share=10, lottery_weighting="days_waited",
        effective_from=DAYS[1],
    )  # fmt: skip
    AllocationPolicy.objects.create(
        version=3, waiting_share=30, lottery_share=60, reserved_share=10, skew_threshold=0, effective_from=DAYS[2]
    )
    allocate(DAYS[0])
    allocate(DAYS[1])
    allocate(DAYS[2])
    return {"family": family.pk}


def fetch(client, date: dt.date, tmp_path: Path, gzipped: bool = False) -> Path:
    headers = {"Accept-Encoding": "gzip"} if gzipped else {}
    response = client.get(f"/draws/{date.isoformat()}.json", headers=headers)
    assert response.status_code == 200
    path = tmp_path / f"{date}.json{'.gz' if gzipped else ''}"
    path.write_bytes(response.content)
    return path


def test_the_verifier_repeats_every_kind_of_draw_from_the_published_record(client, three_draws, tmp_path):
    records = []
    for date in DAYS:
        path = fetch(client, date, tmp_path, gzipped=date == DAYS[0])
        for hash_seed in (None, "1", "987654"):
            result = verifier(path, hash_seed)
            assert result.returncode == 0, result.stdout + result.stderr
            assert result.stdout.startswith(f"MATCH: {date}")
        data = path.read_bytes()
        records.append(json.loads(gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data))

    first, second, third = records
    shares = {row[2] for record in records for row in record["outcome"]["seats"]["rows"]}
    assert shares == {"reserved", "waiting", "lottery"}
    calexico = next(port for port in first["ports"] if port["code"] == "calexico")
    assert calexico["capacity"] == 11 and calexico["capacity_override"] is True
    assert three_draws["family"] in first["outcome"]["carried_over"]
    family_row = next(row for row in second["pool"]["rows"] if row[0] == three_draws["family"])
    assert family_row[6] == 1  # carried over, and seated first at the next draw
    assert [three_draws["family"], "calexico", "waiting"] == second["outcome"]["seats"]["rows"][
        [row[0] for row in second["outcome"]["seats"]["rows"]].index(three_draws["family"])
    ][:3]
    assert second["policy"]["weighting"] == "days_waited"
    assert third["status"] == "held_for_review" and "threshold of 0" in third["status_note"]
    assert "held_for_review" in verifier(tmp_path / f"{DAYS[2]}.json").stdout
    listing = client.get("/draws").content.decode()
    assert all(f'href="/draws/{date}.json"' in listing for date in DAYS)


def test_a_voided_draw_says_so_and_why(client, three_draws, tmp_path):
    fetch(client, DAYS[2], tmp_path)  # built while held, then rebuilt after the decision
    void_run(AllocationRun.objects.get(date=DAYS[2]))
    record = json.loads(fetch(client, DAYS[2], tmp_path).read_text())
    assert record["status"] == "voided" and "voided the draw" in record["status_note"]
    assert verifier(tmp_path / f"{DAYS[2]}.json").returncode == 0


def test_verify_allocation_and_the_public_verifier_agree(client, three_draws, tmp_path):
    for date in DAYS:
        out = io.StringIO()
        call_command("verify_allocation", "--date", date.isoformat(), stdout=out)
        seats = Appointment.objects.filter(date=date).count()
        assert out.getvalue().startswith(f"MATCH: {seats} seats")
        assert f"{seats:,} seats" in verifier(fetch(client, date, tmp_path)).stdout

    # A recorded seat moved by an hour after the draw: both find the same first difference.
    date = DAYS[0]
    RunInputs.objects.update(record=None)  # built again from the changed appointments
    moved = Appointment.objects.filter(date=date).order_by("pk")[3]
    Appointment.objects.filter(pk=moved.pk).update(window_start=moved.window_start + dt.timedelta(minutes=30))
    with pytest.raises(CommandError, match="First difference at seat 4"):
        call_command("verify_allocation", "--date", date.isoformat(), stdout=io.StringIO())
    result = verifier(fetch(client, date, tmp_path))
    assert result.returncode == 1 and "seat 4:" in result.stdout


def _change(text: str, anchor: str, offset: int = 0) -> str:
    """The text with one byte changed: the digit or hex letter `offset` bytes after `anchor`."""
    at = text.index(anchor) + len(anchor) + offset
    swap = {"0": "1", "1": "2", "2": "3", "3": "4", "4": "5", "5": "6", "6": "7", "7": "8", "8": "9", "9": "8"}
    swap.update({"a": "b", "b": "c", "c": "d", "d": "e", "e": "f", "f": "a"})
    return text[:at] + swap[text[at]] + text[at + 1 :]


@pytest.mark.parametrize(
    ("where", "anchor", "offset", "named"),
    [
        ("pool size", '"rows": [\n[', None, "pool: the rows hash to"),
        ("seed", '"seed": "beacon-2025-03-0', 0, "seed: its SHA-256"),
        ("commitment", '"seed_commitment": "', 0, "seed: its SHA-256"),
        ("capacity", '"capacity": ', 1, "at san-ysidro"),
        ("seat window", '"window"\n   ],\n   "rows": [\n[', None, "seat 1:"),
        ("lottery draw", '"lottery_draws": {\n   "san-ysidro": [\n    ', 0, "lottery at san-ysidro, draw 1"),
    ],
)
def test_a_single_changed_byte_fails_and_is_named(client, three_draws, tmp_path, where, anchor, offset, named):
    text = fetch(client, DAYS[0], tmp_path).read_text()
    if offset is None:  # the last number of the first row: a size (pool) or a window (seats)
        row_end = text.index("]", text.index(anchor) + len(anchor))
        column = 2 if where == "pool size" else 3
        start = text.index(anchor) + len(anchor)
        offset = len(",".join(text[start:row_end].split(",")[:column])) + 1
    changed = _change(text, anchor, offset)
    assert sum(a != b for a, b in zip(text, changed)) == 1
    path = tmp_path / "changed.json"
    path.write_text(changed)
    result = verifier(path)
    assert result.returncode == 1, result.stdout
    assert result.stdout.startswith("DIFFERENCE") and named in result.stdout, result.stdout


def test_a_broken_file_is_a_difference_not_a_crash(tmp_path):
    path = tmp_path / "cut.json"
    path.write_text('{"format": "cita-draw-record 1", "seed": ')
    result = verifier(path)
    assert result.returncode == 1 and "not valid JSON" in result.stdout and not result.stderr
    result = verifier(tmp_path / "not-published-yet.json")
    assert result.returncode == 2 and "Could not read" in result.stderr and "Traceback" not in result.stderr


def test_the_record_and_pages_hold_no_personal_data(client, db, tmp_path):
    generate_households(150, seed=9, days=60, members=True, now=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    for n, household in enumerate(Household.objects.all()[:40]):
        household.contact_phone = f"+52868{n:07d}"
        household.save()
    allocate(DAY)
    published = fetch(client, DAY, tmp_path).read_text() + "".join(
        client.get(url).content.decode() for url in (f"/draws/{DAY}", "/draws", "/draws/verify_draw.py")
    )
    from registrations.models import Member

    for household in Household.objects.all():
        assert household.reference not in published
        if household.contact_phone:
            assert household.contact_phone not in published and household.contact_phone[3:] not in published
    for member in Member.objects.all():
        assert member.family_names not in published
        assert member.date_of_birth.isoformat() not in published
    assert "registered_at" not in published and "nationalit" not in published


def test_the_record_waits_until_the_appointment_day_is_over(client, db):
    generate_households(200, seed=3, days=30)
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    allocate(tomorrow)
    assert client.get(f"/draws/{tomorrow}.json").status_code == 404
    page = client.get(f"/draws/{tomorrow}").content.decode()
    assert f'href="/draws/{tomorrow}.json"' not in page and "will be published here after" in page


def test_the_verifier_is_served_exactly_as_kept_in_the_repository(client, db):
    response = client.get("/draws/verify_draw.py")
    assert response.status_code == 200 and response.content == VERIFIER.read_bytes()
    assert b"import allocation" not in response.content and b"django" not in response.content.lower()


def test_before_the_draw_the_page_shows_the_commitment_policy_capacities_windows_and_cut_off(client, db):
    date = dt.date.today() + dt.timedelta(days=2)
    cutoff = dt.datetime.combine(date - dt.timedelta(days=1), dt.time(18), tzinfo=dt.UTC)
    CapacityOverride.objects.create(port=Port.objects.get(code="calexico"), date=date, capacity=37)
    call_command(
        "allocate", "--date", date.isoformat(), "--commit-only", "--cutoff", cutoff.isoformat(), stdout=io.StringIO()
    )
    run = AllocationRun.objects.get(date=date)
    page = client.get(f"/draws/{date}").content.decode()
    assert run.seed_commitment in page and "Not before" in page
    assert "waiting time 60%, lottery 30%, reserved 10%" in page and "One ticket per household" in page
    cells = re.sub(r"\s*(<[^>]+>)\s*", r"\1", page)  # the template is indented: whitespace around tags is not shown
    assert (
        "<td>Calexico, CA</td><td>37 (changed for this date)</td><td>18 of 30 minutes</td><td>08:00–17:00</td>" in cells
    )
    assert "<td>San Ysidro, CA</td><td>390</td>" in cells


def test_records_are_built_ahead_so_no_visitor_waits(client, three_draws):
    out = io.StringIO()
    call_command("build_draw_records", stdout=out)
    assert "Built 3 draw records." in out.getvalue()
    assert RunInputs.objects.filter(record__isnull=False).count() == 3
    out = io.StringIO()
    call_command("build_draw_records", stdout=out)
    assert "Built 0 draw records." in out.getvalue()


def test_a_seat_offered_again_after_the_draw_is_not_part_of_its_record(client, three_draws, tmp_path):
    run = AllocationRun.objects.get(date=DAYS[0])
    seat = Appointment.objects.filter(run=run).first()
    waiting = Household.objects.filter(status=Household.Status.WAITING, preferred_port=seat.port).first()
    Appointment.objects.create(
        run=run, household=waiting, port=seat.port, date=seat.date, window_start=seat.window_start,
        window_end=seat.window_end, people=waiting.size, share=seat.share, status=Appointment.Status.OFFERED,
    )  # fmt: skip
    result = verifier(fetch(client, DAYS[0], tmp_path))
    assert result.returncode == 0, result.stdout


def test_a_draw_made_by_rule_1_still_verifies_by_rule_1(client, db, tmp_path, monkeypatch):
    # Runs drawn before draw rules were numbered carry no rule in their summary: both verifiers repeat
    # them by rule 1 (a household drawn too large for the seats left was passed over), exactly as made.
    from allocation import engine

    Port.objects.update(daily_capacity=60)
    generate_households(600, seed=7, days=120, now=dt.datetime(2025, 3, 1, tzinfo=dt.UTC))
    monkeypatch.setattr(engine, "DRAW_RULE", 1)
    allocate(DAY)
    run = AllocationRun.objects.get(date=DAY)
    assert run.summary["policy"].pop("draw_rule") == 1
    run.save(update_fields=["summary"])
    seated = set(Appointment.objects.filter(run=run).values_list("household_id", flat=True))
    passed_over = [t for drawn in run.lottery.values() for t in drawn[:-1] if t not in seated]
    assert passed_over  # the rules differ on this run

    out = io.StringIO()
    call_command("verify_allocation", "--date", DAY.isoformat(), stdout=out)
    assert out.getvalue().startswith("MATCH")
    path = fetch(client, DAY, tmp_path)
    assert json.loads(path.read_text())["format"] == "cita-draw-record 1"
    result = verifier(path)
    assert result.returncode == 0 and result.stdout.startswith(f"MATCH: {DAY}"), result.stdout

    # Claimed to be a rule 2 draw, the same run does not verify.
    run.summary["policy"]["draw_rule"] = 2
    run.save(update_fields=["summary"])
    with pytest.raises(CommandError, match="First difference|seats"):
        call_command("verify_allocation", "--date", DAY.isoformat(), stdout=io.StringIO())
