#!/usr/bin/env python
"""Soak: the slowest status view over a long, steady run (issue 18: no stall).

    .venv/bin/python scripts/soak.py --minutes 40                          # SQLite
    .venv/bin/python scripts/soak.py --minutes 40 --database postgresql    # a throw-away PostgreSQL

gunicorn as docs/deployment.md runs it (5 sync workers, --preload, --max-requests 5000) serves a copy of HEAD on a
database of --households waiting households (synthetic), --sessions of them signed in. Client threads view
the status page of a random signed-in household, --rate views a second in all, for --minutes. Each worker
builds its queue counts as it starts and rebuilds them every half hour (allocation/waits.py), and workers
are replaced after 5,000 requests, so a 40-minute run crosses rebuilds and fresh workers: a view that waits
for a rebuild shows as a slow minute. First, for --start-seconds while gunicorn starts its workers (it
answers once the first is up), views are measured and printed apart: what visitors meet during a deploy,
not a stall. Then prints each minute (views, errors, p99, slowest), then the slowest view of the run and
`no stall` (under --stall-ms, 1 s, and no error, the start included) or `stall: ...`. The test command's
scripts stage runs it for a few seconds (tests/scripts/test_smoke.py).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadkit import PYTHON, ROOT, build_served_files, free_port, manage, prepare_source, start_gunicorn  # noqa: E402
from loadkit import server_env as load_env  # noqa: E402

POPULATE = """
import json, os, secrets, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from django.conf import settings
from django.utils import timezone
import datetime as dt
from allocation.synthetic import generate_households
from registrations.middleware import SESSION_KEY, SIGNIN_MARK, VERSION_KEY
from registrations.models import AccountSession, Applicant, Household
from registrations.session_store import SessionStore
from shared.sessions import SHARED

households, sessions = int(sys.argv[1]), int(sys.argv[2])
generate_households(households, seed=18, days=270)
chosen = list(Household.objects.order_by("?").values_list("pk", flat=True)[:sessions])
applicants = [
    Applicant(address=f"soak-{pk}@example.org", address_index=Applicant.index_of(f"soak-{pk}@example.org"))
    for pk in chosen
]
Applicant.objects.bulk_create(applicants, batch_size=1000)
by_index = dict(Applicant.objects.values_list("address_index", "pk"))
rows, keys, store = [], [], SessionStore()
expires = timezone.now() + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
updated = []
for household_pk, applicant in zip(chosen, applicants):
    applicant_pk = by_index[applicant.address_index]
    updated.append(Household(pk=household_pk, applicant_id=applicant_pk))
    key = secrets.token_hex(16)
    data = {SESSION_KEY: applicant_pk, VERSION_KEY: 0, SIGNIN_MARK: secrets.token_hex(8), SHARED: False}
    rows.append(AccountSession(session_key=key, session_data=store.encode(data), expire_date=expires,
                               applicant_id=applicant_pk))
    keys.append(key)
Household.objects.bulk_update(updated, ["applicant"], batch_size=1000)
AccountSession.objects.bulk_create(rows, batch_size=1000)
json.dump(keys, sys.stdout)
"""


FORM_TOKEN_COOKIE = os.urandom(16).hex()


def view(port: int, key: str) -> tuple[float, int]:
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        # As a phone sends them: the session, and the form-token cookie it holds (a kept page is made for it).
        cookie = f"sessionid={key}; csrftoken={FORM_TOKEN_COOKIE}"
        connection.request("GET", "/household", headers={"Cookie": cookie, "Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
        status = response.status
    except OSError:
        status = 0
    finally:
        connection.close()
    return time.monotonic() - started, status


def client(port: int, keys: list[str], interval: float, until: float, out: list, lock: threading.Lock) -> None:
    chooser = random.Random()
    next_at = time.monotonic()
    while next_at < until:
        seconds, status = view(port, chooser.choice(keys))
        with lock:
            out.append((time.monotonic(), seconds, status))
        next_at += interval
        time.sleep(max(0.0, next_at - time.monotonic()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=40)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--households", type=int, default=240_000)
    parser.add_argument("--sessions", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=20, help="status views a second, in all")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--stall-ms", type=float, default=1000, help="a view slower than this is a stall")
    parser.add_argument("--source", choices=["head", "worktree"], default="head", help="as load_test.py")
    parser.add_argument(
        "--start-seconds",
        type=float,
        default=10,
        help="views while gunicorn starts its workers, reported apart from the run (a deploy, not a stall)",
    )
    args = parser.parse_args()
    if args.database == "postgresql" and not os.environ.get("DATABASE_URL"):
        script = 'source scripts/postgres.sh && start_postgres && "$0" "$@"; status=$?; stop_postgres; exit $status'
        return subprocess.call(["bash", "-c", script, PYTHON, *sys.argv], cwd=ROOT)

    workdir = Path(tempfile.mkdtemp(prefix="cita-soak."))
    source = prepare_source(args.source, workdir)
    server = argparse.Namespace(
        port=free_port(), codes_port=free_port(), workers=5, worker_class="sync", threads=1, access_log=False
    )
    server.max_requests = 5000
    env = load_env(server, source)
    if args.database == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = str(workdir / "soak.sqlite3")
    manage(source, env, "migrate", "-v", "0")
    build_served_files(source, env)
    started = time.monotonic()
    made = subprocess.run(
        [PYTHON, "-c", POPULATE, str(args.households), str(args.sessions)],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
    )
    if made.returncode:
        raise SystemExit(f"making the households failed:\n{made.stderr[-3000:]}")
    keys = json.loads(made.stdout)
    print(
        f"{args.database}: {args.households:,} waiting households, {len(keys):,} signed in "
        f"({time.monotonic() - started:.0f} s)",
        flush=True,
    )
    gunicorn = start_gunicorn(server, source, env, workdir / "gunicorn.log")
    lock = threading.Lock()
    interval = args.threads / args.rate

    def clients(until: float, out: list) -> list[threading.Thread]:
        """--threads client threads viewing status pages until `until`, started."""
        threads = [
            threading.Thread(target=client, args=(server.port, keys, interval, until, out, lock), daemon=True)
            for _ in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        return threads

    starting: list[tuple[float, float, int]] = []
    results: list[tuple[float, float, int]] = []
    printed = 0
    try:
        # gunicorn answers once its workers are forked; each is still building its queue counts, and views count
        # live until then. The views of those first seconds are what visitors meet during a deploy: measured,
        # and said apart from the run.
        for thread in clients(time.monotonic() + args.start_seconds, starting):
            thread.join()
        if starting:
            report(f"while the {server.workers} workers started ({args.start_seconds:g} s)", starting)
        begin = time.monotonic()
        threads = clients(begin + args.minutes * 60, results)
        while any(thread.is_alive() for thread in threads):
            time.sleep(5)
            with lock:
                done = list(results)
            minute = int((time.monotonic() - begin) // 60)
            while printed < minute:
                printed += 1
                report(f"minute {printed:>3}", [r for r in done if printed - 1 <= (r[0] - begin) / 60 < printed])
    finally:
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
    slowest = report(f"all {args.minutes:g} minutes", results)
    errors = sum(1 for _, _, status in results + starting if status != 200)  # a deploy must not fail anyone
    if slowest * 1000 < args.stall_ms and not errors:
        print(f"no stall: the slowest of {len(results):,} status views took {slowest * 1000:.0f} ms, no errors")
        return 0
    print(f"stall: the slowest status view took {slowest * 1000:.0f} ms; {errors} errors")
    return 1


def report(label: str, rows: list[tuple[float, float, int]]) -> float:
    seconds = sorted(r[1] for r in rows)
    if not seconds:
        print(f"{label}: no views", flush=True)
        return 0.0
    errors = sum(1 for r in rows if r[2] != 200)
    p99 = seconds[min(len(seconds) - 1, int(len(seconds) * 0.99))]
    print(
        f"{label}: {len(seconds):>6,} views, {errors} errors, p50 {seconds[len(seconds) // 2] * 1000:>5.0f} ms,"
        f" p99 {p99 * 1000:>5.0f} ms, slowest {seconds[-1] * 1000:>5.0f} ms",
        flush=True,
    )
    return seconds[-1]


if __name__ == "__main__":
    sys.exit(main())
