"""`manage.py allocate`: the operator's story of drawing a day, and what must never happen."""

import datetime as dt
import io
import json

import pytest
from django.core.management import CommandError, call_command

from allocation import runs
from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride
from registrations.models import Household, VulnerabilityRequest
from shared.models import Port
from tests.allocation.conftest import DAY


def allocate(*args, **options) -> str:
    out = io.StringIO()
    call_command("allocate", "--date", options.pop("date", DAY.isoformat()), *args, stdout=out, **options)
    return out.getvalue()


def test_it_offers_every_seat_and_prints_a_table_per_port(queue):
    output = allocate("--seed", "beacon-123")
    run = AllocationRun.objects.get(date=DAY)
    assert run.status == AllocationRun.Status.COMPLETED
    assert run.seed == "beacon-123" and run.seed_commitment == runs.commitment("beacon-123")
    assert run.pool_count == 600 and len(run.pool_hash) == 64
    offered = Appointment.objects.filter(run=run, status=Appointment.Status.OFFERED)
    assert offered.count() == Household.objects.filter(status=Household.Status.OFFERED).count() > 0
    assert sum(a.people for a in offered) == run.summary["totals"]["people"]
    for port_code in ["san-ysidro", "brownsville", "nogales"]:
        assert run.summary["ports"][port_code]["people"] <= run.summary["ports"][port_code]["capacity"]
    assert "San Ysidro, CA" in output and "Total" in output and "Pool hash" in output


def test_it_gives_windows_in_port_hours_in_the_port_time_zone(queue):
    allocate()
    for appointment in Appointment.objects.select_related("port"):
        local_start = appointment.window_start.astimezone(appointment.port.zone)
        local_end = appointment.window_end.astimezone(appointment.port.zone)
        assert local_start.date() == DAY
        assert appointment.port.opens_at <= local_start.time() and local_end.time() <= appointment.port.closes_at


def test_it_records_the_commitment_before_the_draw_when_it_makes_the_seed(queue):
    allocate()
    run = AllocationRun.objects.get(date=DAY)
    assert len(run.seed) == 64 and runs.commitment(run.seed) == run.seed_commitment


def test_a_second_run_for_the_same_date_changes_nothing_and_says_so(queue):
    allocate("--seed", "one")
    before = list(Appointment.objects.values_list("pk", "household_id", "window_start"))
    output = allocate("--seed", "one")
    assert "already allocated" in output and "nothing changed" in output
    assert list(Appointment.objects.values_list("pk", "household_id", "window_start")) == before


def test_a_seed_other_than_the_committed_one_is_refused(queue):
    runs.commit_seed(DAY, "committed-yesterday")
    with pytest.raises(CommandError, match="does not match the commitment"):
        allocate("--seed", "something-else")
    assert not Appointment.objects.exists()


def test_a_dry_run_writes_nothing(queue):
    output = allocate("--dry-run")
    assert "Dry run: nothing was written." in output and "Total" in output
    assert not AllocationRun.objects.exists() and not Appointment.objects.exists()
    assert Household.objects.filter(status=Household.Status.WAITING).count() == 600


def test_a_crash_midway_leaves_nothing_half_done(queue, monkeypatch):
    def power_cut(household_ids):
        assert Appointment.objects.exists()  # the appointments were written, then the crash
        raise RuntimeError("power cut")

    monkeypatch.setattr(runs, "offer_households", power_cut)
    with pytest.raises(RuntimeError):
        allocate("--seed", "s")
    assert not Appointment.objects.exists()
    assert Household.objects.filter(status=Household.Status.WAITING).count() == 600
    run = AllocationRun.objects.get(date=DAY)
    assert run.status == AllocationRun.Status.COMMITTED and run.seed == ""
    monkeypatch.undo()
    allocate("--seed", "s")
    assert AllocationRun.objects.get(date=DAY).status == AllocationRun.Status.COMPLETED


def test_it_prints_the_summary_as_json(queue):
    data = json.loads(allocate("--json", "--seed", "x"))
    assert data["changed"] is True and data["status"] == "completed" and data["seed"] == "x"
    assert data["summary"]["totals"]["people"] == sum(p["people"] for p in data["summary"]["ports"].values())
    assert {"by_registration_week", "by_household_size", "by_port", "max_gap_points"} <= set(data["statistics"])


def test_it_uses_the_capacity_override_for_the_date(queue):
    CapacityOverride.objects.create(port=Port.objects.get(code="nogales"), date=DAY, capacity=0)
    allocate()
    assert not Appointment.objects.filter(port__code="nogales").exists()


def test_approved_vulnerable_households_are_seated_first(queue):
    port = Port.objects.get(code="laredo")
    newest = Household.objects.filter(preferred_port=port, size__lte=3).order_by("-registered_at").first()
    VulnerabilityRequest.objects.create(
        household=newest,
        category="medical",
        description="Dialysis",
        urgency=1,
        status=VulnerabilityRequest.Status.APPROVED,
    )
    allocate()
    assert Appointment.objects.get(household=newest).share == Appointment.Share.RESERVED


def test_a_family_too_large_for_the_seats_left_goes_first_the_next_day(queue):
    port = Port.objects.get(code="calexico")
    # Too large for the whole day (so the lottery cannot seat it either), then a normal small day.
    CapacityOverride.objects.create(port=port, date=DAY, capacity=11)
    CapacityOverride.objects.create(port=port, date=DAY + dt.timedelta(days=1), capacity=15)
    oldest = Household.objects.filter(preferred_port=port).order_by("registered_at").first()
    Household.objects.filter(pk=oldest.pk).update(size=12)
    allocate()
    assert not Appointment.objects.filter(household=oldest).exists()
    assert [oldest.pk, port.pk] in AllocationRun.objects.get(date=DAY).carried_over
    allocate(date=(DAY + dt.timedelta(days=1)).isoformat())
    assert Appointment.objects.get(household=oldest).share == Appointment.Share.WAITING


def test_a_skewed_lottery_is_held_for_review_never_redrawn(queue):
    AllocationPolicy.objects.filter(version=1).update(skew_threshold=0)
    output = allocate("--seed", "s")
    run = AllocationRun.objects.get(date=DAY)
    assert run.status == AllocationRun.Status.HELD and "HELD FOR REVIEW" in output
    assert set(Appointment.objects.values_list("status", flat=True)) == {Appointment.Status.HELD}
    assert Household.objects.filter(status=Household.Status.WAITING).count() == 600
    with pytest.raises(CommandError, match="held for review"):
        allocate(date=(DAY + dt.timedelta(days=1)).isoformat())
    assert "nothing changed" in allocate("--seed", "s")
    released = runs.release_run(run)
    assert Household.objects.filter(status=Household.Status.OFFERED).count() == released > 0
    assert not Appointment.objects.filter(status=Appointment.Status.HELD).exists()


def test_a_voided_run_leaves_everyone_waiting_with_their_priority(queue):
    AllocationPolicy.objects.filter(version=1).update(skew_threshold=0)
    allocate()
    before = dict(Household.objects.values_list("pk", "registered_at"))
    runs.void_run(AllocationRun.objects.get(date=DAY))
    assert set(Appointment.objects.values_list("status", flat=True)) == {Appointment.Status.CANCELLED}
    assert dict(Household.objects.filter(status=Household.Status.WAITING).values_list("pk", "registered_at")) == before


def test_a_missed_appointment_returns_the_household_with_its_priority(queue):
    allocate()
    appointment = Appointment.objects.first()
    registered_at = appointment.household.registered_at
    runs.end_appointment(appointment, Appointment.Status.MISSED)
    household = Household.objects.get(pk=appointment.household_id)
    assert household.status == Household.Status.WAITING and household.registered_at == registered_at


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_runs_at_once_cannot_both_proceed():
    import threading

    from django.db import connection

    from allocation.synthetic import generate_households

    generate_households(300, seed=3, days=60)
    outcomes, errors = [], []

    def run():
        try:
            outcomes.append(runs.allocate_date(DAY, seed="same"))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(o.changed for o in outcomes) == [False, True]
    run = AllocationRun.objects.get(date=DAY)
    assert Appointment.objects.filter(run=run).count() == sum(p["households"] for p in run.summary["ports"].values())


def test_the_commitment_can_be_published_before_the_draw(queue, client):
    out = io.StringIO()
    call_command("allocate", "--date", DAY.isoformat(), "--commit-only", stdout=out)
    run = AllocationRun.objects.get(date=DAY)
    assert run.seed_commitment in out.getvalue() and not run.seed and not Appointment.objects.exists()
    page = client.get(f"/draws/{DAY.isoformat()}").content.decode()
    assert run.seed_commitment in page and run.sealed_seed not in page
    call_command("allocate", "--date", DAY.isoformat(), stdout=io.StringIO())
    run.refresh_from_db()
    assert run.seed and Appointment.objects.exists()
