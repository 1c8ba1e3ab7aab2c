#!/usr/bin/env python
"""Benchmark: the public record of one draw over 1,000,000 waiting households.

    .venv/bin/python scripts/bench_record.py            # SQLite in /tmp/cita-bench.sqlite3 (or SQLITE_PATH)
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_record.py
    .venv/bin/python scripts/bench_record.py --households 2000   # a small queue (the test command's smoke run)

Draws a past date (undone afterwards), builds /draws/<date>.json once, serves it with gunicorn on
loopback, downloads it gzip-compressed as verify_draw.py does, and runs verify_draw.py with the
system's `python3 -I` on the URL (download included) and on the saved file. Prints wall and CPU
seconds: the machine is shared, so wall time alone says little. Not part of the test suite.
"""

import argparse
import datetime as dt
import gzip
import os
import resource
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from bench_allocation import prepare, reset, setup  # noqa: E402

PYTHON = "python3"


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(args: list[str]) -> tuple[float, float, str]:
    started, cpu = time.perf_counter(), children_cpu()
    out = subprocess.run(args, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, children_cpu() - cpu, (out.stdout + out.stderr).strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000, help="waiting households (default 1,000,000)")
    count = parser.parse_args().households
    setup()
    prepare(count)
    from allocation.models import AllocationRun, RunInputs
    from allocation.runs import allocate_date
    from transparency import record

    date = dt.date.today() - dt.timedelta(days=3)
    reset(date)
    started = time.perf_counter()
    allocate_date(date, seed="benchmark")
    print(f"allocate {date}: {time.perf_counter() - started:.2f} s")
    run = AllocationRun.objects.get(date=date)
    RunInputs.objects.filter(run=run).update(record=None)
    started, cpu = time.perf_counter(), time.process_time()
    data = record.compressed(run)
    print(
        f"build the record once: {time.perf_counter() - started:.2f} s wall, {time.process_time() - cpu:.2f} s cpu; "
        f"{len(data) / 1e6:.1f} MB gzip-compressed, {len(gzip.decompress(data)) / 1e6:.1f} MB as JSON"
    )
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/draws/{date.isoformat()}.json"
    matched = 0
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        started = time.perf_counter()
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            body = response.read()
        print(f"download (gzip, loopback): {time.perf_counter() - started:.2f} s for {len(body) / 1e6:.1f} MB")
        saved = Path("/tmp") / f"cita-record-{date}.json.gz"
        saved.write_bytes(body)
        plain = saved.with_suffix("")
        plain.write_bytes(gzip.decompress(body))
        for label, source in (("URL", url), ("gzip file", str(saved)), ("JSON file", str(plain))):
            wall, cpu, out = timed_run([PYTHON, "-I", str(ROOT / "transparency" / "verify_draw.py"), source])
            print(f"verify_draw.py on the {label}: {wall:.2f} s wall, {cpu:.2f} s cpu -> {out[:90]}")
            matched += out.startswith("MATCH")
    finally:
        server.terminate()
        server.wait(timeout=30)
        RunInputs.objects.filter(run=run).update(record=None)
        reset(date)
    print(f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    if matched != 3:
        sys.exit("verify_draw.py did not say MATCH on all three")


if __name__ == "__main__":
    main()
