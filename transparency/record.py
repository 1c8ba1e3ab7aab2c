"""The public record of one draw: everything it used and produced, and nothing personal.

Published at /draws/<date>.json once the appointment day is over at every port (its last window
and grace period closed), so the record can no longer tell anyone where a person will be. It is
checked by transparency/verify_draw.py, which anyone can run; docs/allocation.md is the
specification of both. The format is versioned: a new engine rule means a new format, and the
verifier keeps reading the old one.

A household appears only as its ticket number (its id, shown on its own status page), its port,
size, rank in the waiting-time order, whole days waited, urgency class and carried-over flag:
never a name, birth date, phone, nationality, registration time or reference.
"""

import calendar
import datetime as dt
import gzip
import json
from decimal import Decimal

from django.utils import timezone

from allocation.models import AllocationRun, Appointment, CapacityOverride, RunInputs
from allocation.pool import read_snapshot
from allocation.runs import port_days
from shared.models import Port

# The format names the draw rule the run used (allocation.engine.DRAW_RULES): runs recorded
# before rules were numbered were drawn by rule 1.
FORMATS = {1: "cita-draw-record 1", 2: "cita-draw-record 2"}
POOL_COLUMNS = ["ticket", "port", "size", "rank", "days_waited", "urgency", "carried_over"]
SEAT_COLUMNS = ["ticket", "port", "share", "window"]
DRAWN = [AllocationRun.Status.COMPLETED, AllocationRun.Status.RELEASED, AllocationRun.Status.HELD]
DECIDED = [*DRAWN, AllocationRun.Status.VOIDED]


def publication_time(run: AllocationRun, ports: dict[str, Port] | None = None) -> dt.datetime:
    """When the full record may be published: the day over at every port, last window and grace closed."""
    ports = ports if ports is not None else {p.code: p for p in Port.objects.all()}
    latest = dt.datetime.combine(run.date + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    for code, row in run.summary.get("ports", {}).items():
        port = ports.get(code)
        zone = port.zone if port else dt.UTC
        latest = max(latest, dt.datetime.combine(run.date + dt.timedelta(days=1), dt.time(), tzinfo=zone))
        if row.get("window_starts") and port:
            last = dt.datetime.fromisoformat(row["window_starts"][-1])
            latest = max(latest, last + dt.timedelta(minutes=row["window_minutes"] + port.grace_minutes))
    return latest


def is_published(run: AllocationRun, now: dt.datetime | None = None, ports: dict[str, Port] | None = None) -> bool:
    """A drawn run, once its publication time has passed."""
    if run.status not in DECIDED or not run.seed:
        return False
    return (now or timezone.now()) >= publication_time(run, ports)


def status_note(run: AllocationRun) -> str:
    """Why a run was held or voided, in plain words, from its published statistics and policy."""
    if run.status not in (AllocationRun.Status.HELD, AllocationRun.Status.VOIDED, AllocationRun.Status.RELEASED):
        return ""
    gap = run.statistics.get("max_gap_points", 0)
    held = (
        f"Held for review: a group's share of the lottery winners differed from its share of the lottery pool "
        f"by {gap} percentage points, more than the policy's threshold of {run.policy.skew_threshold}."
    )
    if run.status == AllocationRun.Status.VOIDED:
        return held + " An operator then voided the draw: every seat was cancelled and every household kept its place."
    if run.status == AllocationRun.Status.RELEASED:
        return held + " An operator then released it: its seats were offered."
    return held + " No seat has been offered."


def port_rows(run: AllocationRun) -> list[dict]:
    """Each port as the draw used it, in draw order (port id): capacity, windows, counts."""
    overrides = set(CapacityOverride.objects.filter(date=run.date).values_list("port__code", flat=True))
    summary = run.summary.get("ports", {})
    rows = []
    for port in Port.objects.filter(code__in=summary).order_by("pk"):
        row = summary[port.code]
        rows.append(
            {
                "code": port.code,
                "name": row["name"],
                "capacity": row["capacity"],
                "capacity_override": port.code in overrides,
                "time_zone": port.time_zone,
                "window_minutes": row["window_minutes"],
                "windows": row["window_starts"],
                "window_capacity": row["window_capacity"],
                "counts": {
                    key: row[key] for key in ("households", "people", "reserved", "waiting", "lottery", "empty")
                },
            }
        )
    return rows


def port_plan(run: AllocationRun) -> list[dict]:
    """What the draw page shows before and after the draw: each port's capacity and windows for the date."""
    if not run.summary.get("ports"):
        days, details = port_days(run.date)
        overrides = set(CapacityOverride.objects.filter(date=run.date).values_list("port_id", flat=True))
        return [
            {
                "name": details[day.key]["port"].name,
                "capacity": day.capacity if day.windows else 0,
                "override": day.key in overrides,
                "windows": day.windows,
                "window_minutes": details[day.key]["port"].window_minutes,
                "hours": _hours(details[day.key]["starts"], details[day.key]["end"]),
            }
            for day in days
        ]
    plan = []
    for port in port_rows(run):
        starts = [dt.datetime.fromisoformat(start) for start in port["windows"]]
        minutes = dt.timedelta(minutes=port["window_minutes"])
        plan.append(
            {
                "name": port["name"],
                "capacity": port["capacity"],
                "override": port["capacity_override"],
                "windows": len(starts),
                "window_minutes": port["window_minutes"],
                "hours": _hours(starts, minutes),
            }
        )
    return plan


def _hours(starts: list[dt.datetime], length: dt.timedelta) -> str:
    """First window's start to last window's end, in the port's own time."""
    return f"{starts[0]:%H:%M}–{starts[-1] + length:%H:%M}" if starts else ""


def pool_rows(run: AllocationRun) -> list[list]:
    """The recorded pool in canonical order, one row per household (see POOL_COLUMNS)."""
    snapshot = read_snapshot(bytes(run.inputs.snapshot))
    if snapshot.version < 2:
        raise ValueError("this run was recorded before ticket numbers; its pool names households by reference")
    pool = snapshot.pool
    midnight = calendar.timegm(run.date.timetuple())
    rows = []
    for key, code in snapshot.codes.items():
        lo, hi = pool.port_range(key)
        for rank, i in enumerate(range(lo, hi), start=1):
            days = (midnight - pool.priorities[i]) // 86400
            rows.append([pool.tickets[i], code, pool.sizes[i], rank, days, pool.urgencies[i], pool.carried[i]])
    return rows


def seat_rows(run: AllocationRun, ports: list[dict]) -> list[list]:
    """The seats as the draw made them, in order: ticket, port, share, window (its index in the port's list)."""
    window_of = {
        (port["code"], dt.datetime.fromisoformat(start)): n for port in ports for n, start in enumerate(port["windows"])
    }
    # Only the seats the draw made: a seat offered again later (a freed seat) is not part of the draw.
    made = Appointment.objects.drawn().filter(run=run)
    if run.finished_at:
        made = made.filter(created_at__lte=run.finished_at)
    rows = made.order_by("pk").values_list("household_id", "port__code", "window_start", "share")
    return [[ticket, code, share, window_of[(code, start)]] for ticket, code, start, share in rows]


def build(run: AllocationRun) -> dict:
    """The whole record of a drawn run, as one JSON-ready dict."""
    ports = port_rows(run)
    policy = run.summary["policy"]
    return {
        "format": FORMATS[policy.get("draw_rule", 1)],
        "about": "Everything one Cita draw used and produced. Specification: docs/allocation.md; "
        "check it with verify_draw.py, served beside this record at /draws/verify_draw.py.",
        "date": run.date.isoformat(),
        "status": run.status,
        "status_note": status_note(run),
        "policy": {**policy, "skew_threshold": str(Decimal(run.policy.skew_threshold))},
        "seed_commitment": run.seed_commitment,
        "committed_at": run.committed_at.isoformat(),
        "cutoff": run.cutoff.isoformat() if run.cutoff else None,
        "pool_read_at": run.started_at.isoformat() if run.started_at else None,
        "beacon": beacon(run),
        "seed": run.seed,
        "pool_hash": run.pool_hash,
        "ports": ports,
        "pool": {"columns": POOL_COLUMNS, "rows": pool_rows(run)},
        "outcome": {
            "seats": {"columns": SEAT_COLUMNS, "rows": seat_rows(run, ports)},
            "lottery_draws": {port["code"]: run.lottery.get(port["code"], []) for port in ports},
            "carried_over": [ticket for ticket, _port in run.carried_over],
        },
    }


def beacon(run: AllocationRun) -> dict | None:
    """The public randomness beacon round whose value is the seed, when the operator named one."""
    if run.beacon_round is None:
        return None
    return {
        "name": "drand",
        "chain": run.beacon_chain,
        "round": run.beacon_round,
        "url": f"https://api.drand.sh/{run.beacon_chain}/public/{run.beacon_round}",
    }


def compressed(run: AllocationRun) -> bytes:
    """The record as gzip-compressed JSON, built once and kept with the run's inputs."""
    stored = RunInputs.objects.filter(run=run).values_list("record", flat=True).first()
    if stored:
        return bytes(stored)
    data = gzip.compress(dumps(build(run)).encode(), compresslevel=6, mtime=0)
    RunInputs.objects.filter(run=run).update(record=data)
    return data


def dumps(record: dict) -> str:
    """Indented JSON with one line per pool row and per seat, so a household can find its ticket by eye."""
    pool = record["pool"]["rows"]
    seats = record["outcome"]["seats"]["rows"]
    shell = {
        **record,
        "pool": {**record["pool"], "rows": "@pool@"},
        "outcome": {**record["outcome"], "seats": {**record["outcome"]["seats"], "rows": "@seats@"}},
    }
    text = json.dumps(shell, indent=1, ensure_ascii=False)
    # Port codes and shares are slugs, so the rows need no escaping (json.dumps row by row is 4x slower).
    pool_lines = ",\n".join(f'[{t},"{c}",{s},{r},{d},{u},{k}]' for t, c, s, r, d, u, k in pool)
    seat_lines = ",\n".join(f'[{t},"{c}","{s}",{w}]' for t, c, s, w in seats)
    text = text.replace('"@pool@"', f"[\n{pool_lines}\n]" if pool else "[]", 1)
    return text.replace('"@seats@"', f"[\n{seat_lines}\n]" if seats else "[]", 1)
