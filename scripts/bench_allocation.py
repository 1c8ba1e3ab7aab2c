#!/usr/bin/env python
"""Benchmark: allocate one day at all ports for 1,000,000 waiting households, end to end.

    .venv/bin/python scripts/bench_allocation.py                 # SQLite in /tmp/cita-bench.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_allocation.py

Prints the time to read (id, port, size) of the waiting households once with plain SQL, the time
to allocate one date (pool read, draw, statistics, snapshot, appointments, run record), their
ratio, and the peak memory of the process doing it; then verify_allocation's time and peak memory
(repeating the draw from its recorded inputs, in a fresh process). Not part of the test suite.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        os.environ.setdefault("SQLITE_PATH", "/tmp/cita-bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def prepare(count: int) -> None:
    """Migrate and top the database up to `count` waiting households."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from registrations.models import Household

    waiting = Household.objects.waiting().count()
    if waiting < count:
        print(f"Generating {count - waiting:,} households…", flush=True)
        call_command("generate_households", count=count - waiting, seed=waiting)
    if os.environ.get("DATABASE_URL"):
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE registrations_household")


def reset(date) -> None:
    """Undo a benchmark run so the next one sees the same pool."""
    from allocation.models import AllocationRun, Appointment, RunInputs
    from registrations.models import Household

    run = AllocationRun.objects.filter(date=date).first()
    if run:
        ids = list(Appointment.objects.filter(run=run).values_list("household_id", flat=True))
        Household.objects.filter(pk__in=ids).update(status=Household.Status.WAITING)
        Appointment.objects.filter(run=run).delete()
        RunInputs.objects.filter(run=run).delete()
        run.delete()


def measure(what: str, date_text: str) -> None:
    """One measurement in this fresh process, so its peak memory is its own."""
    import datetime as dt

    from django.db import connection

    from allocation.runs import allocate_date, gc_paused

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if what == "read":
        # The same conditions as the draw (garbage collector paused), so the ratio is not flattered.
        with gc_paused(), connection.cursor() as cursor:
            started, cpu = time.perf_counter(), time.process_time()
            cursor.execute("SELECT id, preferred_port_id, size FROM registrations_household WHERE status = 'waiting'")
            count = len(cursor.fetchall())
            elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"RESULT {elapsed:.3f} {cpu:.3f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} "
            f"{base_rss:.0f} {count}"
        )
        return
    if what == "verify":
        from allocation.models import AllocationRun
        from allocation.verify import verify_run

        started = time.perf_counter()
        verification = verify_run(AllocationRun.objects.get(date=date_text))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"RESULT {time.perf_counter() - started:.3f} {peak:.0f} {base_rss:.0f} {verification.matches}")
        return
    started, cpu = time.perf_counter(), time.process_time()
    outcome = allocate_date(dt.date.fromisoformat(date_text), seed="benchmark")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"RESULT {elapsed:.3f} {cpu:.3f} {peak:.0f} {base_rss:.0f} {outcome.summary['pool']} "
        f"{outcome.summary['totals']['people']} {outcome.run.status}"
    )


def run_measure(what: str, date: str) -> list[str]:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", what, date], capture_output=True, text=True, env=os.environ
    )
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        sys.exit(out.stdout + out.stderr)
    return line.split()[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--measure", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    setup()
    if args.measure:
        measure(*args.measure)
        return
    from django.db import connection

    prepare(args.count)
    date = "2099-01-01"
    reads, totals, read_cpus, total_cpus, peaks = [], [], [], [], []
    for _ in range(args.repeat):
        reset(date)
        connection.close()
        read, read_cpu, _, _, count = map(float, run_measure("read", date))
        total, total_cpu, peak, base, pool, people, status = run_measure("allocate", date)
        total, total_cpu, peak = float(total), float(total_cpu), float(peak)
        reads.append(read)
        totals.append(total)
        read_cpus.append(read_cpu)
        total_cpus.append(total_cpu)
        peaks.append(peak)
        verify_seconds, verify_peak, _, matches = run_measure("verify", date)
        print(
            f"verify_allocation {float(verify_seconds):.2f} s, peak RSS {verify_peak} MB, match {matches}", flush=True
        )
        print(
            f"read {read:.2f} s (cpu {read_cpu:.2f}); allocate {total:.2f} s (cpu {total_cpu:.2f}), "
            f"{total / read:.2f}× the read; peak RSS {peak:.0f} MB (Django loaded: {float(base):.0f} MB); "
            f"{int(float(pool)):,} households, {people} people seated, run {status}",
            flush=True,
        )
    reset(date)
    load = os.getloadavg()[0]
    print(
        f"\n{connection.vendor}, {int(count):,} waiting households, median of {len(reads)} "
        f"(load average {load:.1f} on {os.cpu_count()} cores):"
    )
    print(
        f"  bare read of (id, port, size):  {statistics.median(reads):.2f} s wall, "
        f"{statistics.median(read_cpus):.2f} s cpu of this process"
    )
    print(
        f"  allocate one day, end to end:   {statistics.median(totals):.2f} s wall, "
        f"{statistics.median(total_cpus):.2f} s cpu of this process"
    )
    print(
        f"  ratio allocate / read:          {statistics.median(t / r for r, t in zip(reads, totals)):.2f}× wall, "
        f"{statistics.median(t / r for r, t in zip(read_cpus, total_cpus)):.2f}× cpu"
    )
    print(f"  peak memory of the allocation:  {max(peaks):.0f} MB (whole process, RSS)")


if __name__ == "__main__":
    main()
