"""Repeat a past draw from its recorded inputs and revealed seed, and compare it with what was recorded."""

import datetime as dt
from dataclasses import dataclass

from allocation import engine
from allocation.models import AllocationRun, Appointment, RunInputs
from allocation.pool import Snapshot, read_snapshot
from allocation.runs import commitment


@dataclass
class Verification:
    matches: bool
    message: str


def recorded_seats(run: AllocationRun, by: str = "household_id") -> list[tuple]:
    """The run's appointments as (ticket number, port code, window start, share), in the order they were made.

    Runs recorded before ticket numbers named households by reference: pass by="household__reference"."""
    rows = (
        Appointment.objects.drawn()
        .filter(run=run)
        .order_by("pk")
        .values_list(by, "port__code", "window_start", "share")
    )
    return [(ticket, code, start.isoformat(), share) for ticket, code, start, share in rows]


def redraw(run: AllocationRun, snapshot: Snapshot | None = None) -> tuple[list[tuple], str]:
    """The seats the draw gives from the recorded inputs and seed, and the recorded pool's hash."""
    snapshot = snapshot or read_snapshot(bytes(run.inputs.snapshot))
    rules = run.summary["policy"]
    # Runs recorded before draw rules were numbered carry none: they were drawn by rule 1.
    policy = engine.Policy(
        rules["waiting_share"],
        rules["lottery_share"],
        rules["reserved_share"],
        rules["weighting"],
        rules.get("draw_rule", 1),
    )
    key_of = {code: key for key, code in snapshot.codes.items()}
    days, starts = [], {}
    for code, row in run.summary["ports"].items():
        # Ports without waiting households are not in the snapshot; nothing was drawn there.
        if code in key_of:
            days.append(engine.PortDay(key_of[code], code, row["capacity"], row["windows"]))
            starts[key_of[code]] = row["window_starts"]
    result = engine.allocate(snapshot.pool, days, policy, run.seed, run.date)
    seats = [
        (snapshot.pool.tickets[s.index], snapshot.codes[s.port], _iso(starts[s.port][s.window]), s.share)
        for s in result.seats
    ]
    return seats, snapshot.hash


def _iso(text: str) -> str:
    return dt.datetime.fromisoformat(text).astimezone(dt.UTC).isoformat()


def verify_run(run: AllocationRun) -> Verification:
    """MATCH when the seed fits its commitment, the inputs fit the pool hash and the draw gives the recorded seats."""
    if not run.seed:
        return Verification(False, f"The seed for {run.date} has not been revealed: nothing to verify yet.")
    if commitment(run.seed) != run.seed_commitment:
        return Verification(False, f"The revealed seed does not match the commitment {run.seed_commitment}.")
    # The snapshot column alone (not the public record beside it), read into compact columns.
    snapshot = read_snapshot(bytes(RunInputs.objects.filter(run=run).values_list("snapshot", flat=True).get()))
    drawn, recorded_hash = redraw(run, snapshot)
    if recorded_hash != run.pool_hash:
        return Verification(False, f"The recorded inputs hash to {recorded_hash}, not the published {run.pool_hash}.")
    by = "household_id" if snapshot.version >= 2 else "household__reference"
    recorded = [(ticket, code, _iso(start), share) for ticket, code, start, share in recorded_seats(run, by)]
    for n, (mine, theirs) in enumerate(zip(drawn, recorded), start=1):
        if mine != theirs:
            return Verification(False, f"First difference at seat {n}: recorded {theirs}, the draw gives {mine}.")
    if len(drawn) != len(recorded):
        return Verification(False, f"The draw gives {len(drawn)} seats; {len(recorded)} were recorded.")
    return Verification(True, f"MATCH: {len(drawn)} seats for {run.date} repeat exactly (pool hash {run.pool_hash}).")
