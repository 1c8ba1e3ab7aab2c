"""Allocation runs: commit a seed, draw a date and record it all at once, release or void a held run."""

import contextlib
import datetime as dt
import gc
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation import engine, fairness
from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride, RunInputs
from allocation.pool import canonical_bytes, pool_hash, read_pool, rebooked, store_snapshot
from registrations.models import Household
from shared.models import Port

Progress = Callable[[str], None]


class AllocationError(Exception):
    """The run cannot go ahead; nothing was written."""


@dataclass
class Outcome:
    run: AllocationRun | None
    changed: bool
    message: str
    summary: dict = field(default_factory=dict)
    statistics: dict = field(default_factory=dict)


def commitment(seed: str) -> str:
    """The published commitment to a seed: SHA-256 of its UTF-8 bytes, in hex."""
    return hashlib.sha256(seed.encode()).hexdigest()


def policy_for(date: dt.date) -> AllocationPolicy:
    """The newest policy version in force on the date."""
    policy = AllocationPolicy.objects.filter(effective_from__lte=date).order_by("-effective_from", "-version").first()
    if policy is None:
        raise AllocationError(f"No allocation policy is in force on {date}.")
    return policy


def window_starts(port: Port, date: dt.date) -> list[dt.datetime]:
    """Windows of window_minutes from opening time, the last one ending by closing time, in the port's zone."""
    opens = dt.datetime.combine(date, port.opens_at, tzinfo=port.zone)
    closes = dt.datetime.combine(date, port.closes_at, tzinfo=port.zone)
    step = dt.timedelta(minutes=port.window_minutes)
    count = int((closes - opens) / step) if port.window_minutes else 0
    return [opens + k * step for k in range(count)]


def port_days(date: dt.date) -> tuple[list[engine.PortDay], dict[int, dict]]:
    """Each port's capacity on the date (an override wins) and its windows."""
    overrides = dict(CapacityOverride.objects.filter(date=date).values_list("port_id", "capacity"))
    days, details = [], {}
    for port in Port.objects.order_by("pk"):
        starts = window_starts(port, date)
        capacity = overrides.get(port.pk, port.daily_capacity)
        days.append(engine.PortDay(port.pk, port.code, capacity, len(starts)))
        details[port.pk] = {"port": port, "starts": starts, "end": dt.timedelta(minutes=port.window_minutes)}
    return days, details


def commit_seed(date: dt.date, seed: str | None = None, cutoff: dt.datetime | None = None) -> AllocationRun:
    """Record the SHA-256 of the date's seed before any draw; the seed stays sealed until the draw.

    A run that named a beacon round takes the round's value as its seed instead (allocation.beacon)."""
    run = AllocationRun.objects.filter(date=date).first()
    if run is None:
        sealed = seed if seed is not None else secrets.token_hex(32)
        try:
            with transaction.atomic():
                run = AllocationRun.objects.create(
                    date=date,
                    policy=policy_for(date),
                    seed_commitment=commitment(sealed),
                    sealed_seed=sealed,
                    cutoff=cutoff,
                )
        except IntegrityError:
            run = AllocationRun.objects.get(date=date)
    if run.beacon_round is not None:
        from allocation.beacon import enter_value

        if seed is None and not run.sealed_seed:
            raise AllocationError(f"Enter the value of beacon round {run.beacon_round} with --seed first.")
        return enter_value(run, seed) if seed is not None else run
    if seed is not None and commitment(seed) != run.seed_commitment:
        raise AllocationError(f"The seed does not match the commitment recorded for {date}: {run.seed_commitment}.")
    return run


@dataclass
class Draw:
    pool: engine.Pool
    result: engine.Result
    canonical: bytes
    hash: str
    summary: dict
    statistics: dict
    details: dict


def policy_values(policy: AllocationPolicy) -> engine.Policy:
    """The policy row as the pure engine reads it, with the draw rule new runs use (engine.DRAW_RULE)."""
    return engine.Policy(
        policy.waiting_share, policy.lottery_share, policy.reserved_share, policy.lottery_weighting, engine.DRAW_RULE
    )


@contextlib.contextmanager
def gc_paused():
    """The draw creates millions of short-lived objects and no cycles: scanning them would double its time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compute(date: dt.date, policy: AllocationPolicy, seed: str, progress: Progress) -> Draw:
    """Load the pool, draw, and build the summary and statistics; writes nothing."""
    with gc_paused():
        return _compute(date, policy, seed, progress)


def _compute(date: dt.date, policy: AllocationPolicy, seed: str, progress: Progress) -> Draw:
    previous = (
        AllocationRun.objects.filter(
            date__lt=date, status__in=[AllocationRun.Status.COMPLETED, AllocationRun.Status.RELEASED]
        )
        .order_by("-date")
        .values_list("carried_over", flat=True)
        .first()
    )
    progress("Reading the eligible pool")
    # Carried over: did not fit at the previous run, or Cita cancelled its appointment (served first).
    pool = read_pool([tuple(pair) for pair in previous or []] + rebooked())
    days, details = port_days(date)
    codes = {d.key: d.code for d in days}
    progress(f"Drawing for {len(pool):,} households")
    rules = policy_values(policy)
    result = engine.allocate(pool, days, rules, seed, date)
    progress("Recording the inputs")
    canonical = canonical_bytes(pool, date, codes)
    statistics = fairness.lottery_statistics(pool, result, rules, date, codes)
    summary = _summary(pool, result, days, details, rules, policy.version)
    return Draw(pool, result, canonical, pool_hash(canonical), summary, statistics, details)


def _summary(
    pool: engine.Pool,
    result: engine.Result,
    days: list[engine.PortDay],
    details: dict,
    rules: engine.Policy,
    version: int,
) -> dict:
    households: dict[int, int] = {}
    for seat in result.seats:
        households[seat.port] = households.get(seat.port, 0) + 1
    ports, totals = {}, {"capacity": 0, "households": 0, "people": 0, "reserved": 0, "waiting": 0, "lottery": 0}
    for day in days:
        people = result.people.get(day.key, dict.fromkeys(engine.SHARES, 0))
        row = {
            "name": details[day.key]["port"].name,
            "capacity": day.capacity if day.windows else 0,
            **people,
            "households": households.get(day.key, 0),
            "people": sum(people.values()),
            "windows": day.windows,
            "window_minutes": details[day.key]["port"].window_minutes,
            "window_capacity": result.window_capacity.get(day.key, 0),
            "window_starts": [start.isoformat() for start in details[day.key]["starts"]],
        }
        row["empty"] = row["capacity"] - row["people"]
        ports[day.code] = row
        for key in totals:
            totals[key] += row[key]
    return {
        "policy": {
            "version": version,
            "waiting_share": rules.waiting_share,
            "lottery_share": rules.lottery_share,
            "reserved_share": rules.reserved_share,
            "weighting": rules.weighting,
            "draw_rule": rules.draw_rule,
        },
        "pool": len(pool),
        "carried_over": len(result.carried_over),
        "ports": ports,
        "totals": totals,
    }


def allocate_date(
    date: dt.date, seed: str | None = None, dry_run: bool = False, progress: Progress = lambda step: None
) -> Outcome:
    """Draw the date once: a second run changes nothing; a failure midway leaves nothing written."""
    if dry_run:
        return _dry_run(date, seed, progress)
    run = commit_seed(date, seed)
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.COMMITTED:
            return _already_allocated(run)
        if AllocationRun.objects.filter(status=AllocationRun.Status.HELD).exclude(pk=run.pk).exists():
            raise AllocationError("A run is held for review: release or void it before the next draw.")
        started = timezone.now()
        if run.cutoff and started < run.cutoff:
            raise AllocationError(f"The published cut-off for {date} is {run.cutoff.isoformat()}: draw after it.")
        draw = compute(date, run.policy, run.sealed_seed, progress)
        progress(f"Writing {len(draw.result.seats):,} appointments")
        record_allocation(run, draw, started)
    return Outcome(run, True, f"{date} allocated ({run.get_status_display()}).", run.summary, run.statistics)


def _already_allocated(run: AllocationRun) -> Outcome:
    message = f"{run.date} was already allocated ({run.get_status_display()}): nothing changed."
    return Outcome(run, False, message, run.summary, run.statistics)


def _dry_run(date: dt.date, seed: str | None, progress: Progress) -> Outcome:
    """Draw with the committed seed (or a throwaway one) and write nothing, not even a commitment."""
    run = AllocationRun.objects.filter(date=date).first()
    if run and run.status != AllocationRun.Status.COMMITTED:
        return _already_allocated(run)
    sealed = run.sealed_seed if run else (seed or secrets.token_hex(32))
    draw = compute(date, run.policy if run else policy_for(date), sealed, progress)
    return Outcome(None, False, "Dry run: nothing was written.", draw.summary, draw.statistics)


def record_allocation(run: AllocationRun, draw: Draw, started: dt.datetime) -> None:
    """Write the appointments, offer them (or hold them for review), and close the run record."""
    held = fairness.is_skewed(draw.statistics, float(run.policy.skew_threshold))
    status = Appointment.Status.HELD if held else Appointment.Status.OFFERED
    pool = draw.pool
    appointments = []
    for seat in draw.result.seats:
        window = draw.details[seat.port]
        start = window["starts"][seat.window]
        appointments.append(
            Appointment(
                run=run,
                household_id=pool.tickets[seat.index],
                port_id=seat.port,
                date=run.date,
                window_start=start,
                window_end=start + window["end"],
                people=pool.sizes[seat.index],
                share=seat.share,
                status=status,
            )
        )
    Appointment.objects.bulk_create(appointments, batch_size=500)
    if not held:
        offer_households([a.household_id for a in appointments])
    store_snapshot(run.pk, draw.canonical)
    run.seed = run.sealed_seed
    run.pool_hash = draw.hash
    run.pool_count = len(pool)
    run.status = AllocationRun.Status.HELD if held else AllocationRun.Status.COMPLETED
    run.started_at = started
    run.finished_at = timezone.now()
    run.summary = draw.summary
    run.statistics = draw.statistics
    run.carried_over = [[pool.tickets[i], pool.ports[i]] for i in draw.result.carried_over]
    run.lottery = {
        draw.details[key]["port"].code: [pool.tickets[i] for i in drawn] for key, drawn in draw.result.draws.items()
    }
    run.save()


def offer_households(household_ids: list[int]) -> None:
    """Waiting households become offered; if any stopped waiting meanwhile, the whole run fails."""
    for start in range(0, len(household_ids), 500):
        chunk = household_ids[start : start + 500]
        # Lock and check by primary key alone: a filter on status would lead SQLite to scan the whole queue.
        statuses = Household.objects.select_for_update().filter(pk__in=chunk).values_list("status", flat=True)
        if sum(status == Household.Status.WAITING for status in statuses) != len(chunk):
            raise AllocationError("Some households changed while the draw ran; nothing was written. Run it again.")
        Household.objects.filter(pk__in=chunk).update(status=Household.Status.OFFERED, updated_at=timezone.now())


def release_run(run: AllocationRun) -> int:
    """Offer the appointments of a run held for review; a household that stopped waiting loses its seat."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.HELD:
            raise AllocationError("Only a run held for review can be released.")
        held = run.appointments.filter(status=Appointment.Status.HELD)
        waiting = list(held.filter(household__status=Household.Status.WAITING).values_list("household_id", flat=True))
        held.exclude(household_id__in=waiting).update(status=Appointment.Status.CANCELLED)
        held.filter(household_id__in=waiting).update(status=Appointment.Status.OFFERED)
        offer_households(waiting)
        run.status = AllocationRun.Status.RELEASED
        run.save(update_fields=["status"])
        RunInputs.objects.filter(run=run).update(record=None)  # the public record says how it ended
    return len(waiting)


def void_run(run: AllocationRun) -> int:
    """Cancel every seat of a run held for review; the households keep waiting with their priority."""
    with transaction.atomic():
        run = AllocationRun.objects.select_for_update().get(pk=run.pk)
        if run.status != AllocationRun.Status.HELD:
            raise AllocationError("Only a run held for review can be voided.")
        count = run.appointments.filter(status=Appointment.Status.HELD).update(
            status=Appointment.Status.CANCELLED, cancel_reason=Appointment.CancelReason.VOIDED
        )
        run.status = AllocationRun.Status.VOIDED
        run.save(update_fields=["status"])
        RunInputs.objects.filter(run=run).update(record=None)  # the public record says how it ended
    return count


def end_appointment(appointment: Appointment, status: str, reason: str = "") -> None:
    """A cancelled, missed or expired appointment puts the household back in the queue; its priority stays."""
    if status not in (Appointment.Status.CANCELLED, Appointment.Status.MISSED, Appointment.Status.EXPIRED):
        raise ValueError(status)
    with transaction.atomic():
        changed = Appointment.objects.filter(
            pk=appointment.pk, status__in=[Appointment.Status.OFFERED, Appointment.Status.CONFIRMED]
        ).update(status=status, cancel_reason=reason, ended_at=timezone.now())
        if changed:
            Household.objects.filter(
                pk=appointment.household_id, status__in=[Household.Status.OFFERED, Household.Status.CONFIRMED]
            ).update(status=Household.Status.WAITING, updated_at=timezone.now())


def timed(write: Callable[[str], None]) -> Progress:
    """A progress printer that shows the seconds since the start before each step."""
    started = time.perf_counter()
    return lambda step: write(f"[{time.perf_counter() - started:6.2f} s] {step}")
