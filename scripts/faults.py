#!/usr/bin/env python
"""Fault drills against gunicorn on a throw-away PostgreSQL on loopback (see docs/reliability.md).

    .venv/bin/python scripts/faults.py drop --count 1000      # hang up after sending a household, resend
    .venv/bin/python scripts/faults.py db-restart             # stop PostgreSQL under load, start it again
    .venv/bin/python scripts/faults.py allocate-kill --trials 10 --pool 50000
    .venv/bin/python scripts/faults.py disk-full              # as root: PostgreSQL on a small tmpfs, filled

drop           N applicants each send their household over a raw socket and hang up at a random point (in the
               headers, in the body, right after the last byte, or while the server works; clean close or
               TCP reset), then send the same form again. Each household must exist exactly once.
db-restart     applicants sign in and register while a poller reads the status page every 0.1 s; PostgreSQL is
               stopped (pg_ctl -m fast) for --down seconds and started again. Every answer during the outage must
               be the 503 "try again" page (never a 500 or a stack trace), and gunicorn must recover by itself.
allocate-kill  an uninterrupted ``allocate`` on a copy of the database is the reference; on fresh copies,
               ``allocate`` is killed with SIGKILL at a random moment; nothing partial may remain, and a rerun
               with the same seed must give exactly the reference appointments.
disk-full      PostgreSQL on a tmpfs filled by registrations, then grown: see scripts/fault_disk_full.py.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]

import load_test  # noqa: E402
import loadkit  # noqa: E402

from tests.faults.dropping import form_request, random_drop, resend, send_and_hang_up  # noqa: E402

TRY_AGAIN = b"Try again in a minute"


def psql(url: str, sql: str, params=(), autocommit: bool = False):
    import psycopg

    with psycopg.connect(url, autocommit=autocommit) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


class Server:
    """gunicorn serving a clean copy of HEAD, as in the load test."""

    def __init__(self, args) -> None:
        args.port, args.codes_port = loadkit.free_port(), loadkit.free_port()
        args.worker_class, args.threads, args.access_log = "gthread", 4, False
        args.workers = 2 * (os.cpu_count() or 1) + 1
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="cita-faults."))
        self.source = loadkit.prepare_source(args.source, self.workdir)
        self.env = loadkit.server_env(args, self.source)
        loadkit.manage(self.source, self.env, "migrate", "-v", "0")
        loadkit.build_served_files(self.source, self.env)
        self.url = os.environ["DATABASE_URL"]
        self.place, self.port = loadkit.lookup(self.url)
        self.log = self.workdir / "gunicorn.log"
        self.process = loadkit.start_gunicorn(args, self.source, self.env, self.log)
        self.address = ("127.0.0.1", args.port)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def tracebacks(self) -> int:
        return sum("Traceback" in line for line in self.log.read_text().splitlines())


async def sign_in_many(server: Server, count: int, run: str, concurrency: int = 20) -> list[str]:
    """Session ids of `count` new applicants, signed in through the real pages."""
    codes = load_test.Codes()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: codes, local_addr=("127.0.0.1", server.args.codes_port))
    sessions: list[str] = []
    todo = iter(range(count))

    async def worker() -> None:
        conn = loadkit.Connection("127.0.0.1", server.args.port, 30)
        for n in todo:
            conn.cookies.clear()
            conn.forwarded_for = load_test.next_client_address()
            address = f"fault-{run}-{n}@example.org"
            await conn.request("GET", "/signin")
            status, _, _ = await conn.request(
                "POST", "/signin", {"csrfmiddlewaretoken": conn.cookies["csrftoken"], "address": address}
            )
            assert status == 302, status
            code = await codes.code_for(address, 30)
            status, _, _ = await conn.request(
                "POST", "/signin/code", {"csrfmiddlewaretoken": conn.cookies["csrftoken"], "code": code}
            )
            assert status == 302, status
            sessions.append(conn.cookies["sessionid"])
        await conn.close()

    try:
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    finally:
        transport.close()
    return sessions


def drill_drop(args) -> list[str]:
    server = Server(args)
    failures = []
    try:
        run = dt.datetime.now().strftime("%H%M%S")
        print(f"Signing in {args.count} applicants ...")
        sessions = asyncio.run(sign_in_many(server, args.count, run))
        before = loadkit.db_counts(server.url)
        rng = random.Random(args.seed)
        jobs = []
        for n, session in enumerate(sessions):
            size = rng.randint(1, 8)
            form = load_test.household_form(
                f"drop-{run}-{n}", next(load_test.FAMILY_SERIAL), size, server.place, server.port, rng
            )
            request = form_request("/household/new", form, session, forwarded_for=load_test.next_client_address())
            jobs.append((size, request, random_drop(request, rng)))
        kinds: Counter = Counter()
        answers: Counter = Counter()
        lock = threading.Lock()

        def one(job) -> None:
            size, request, drop = job
            send_and_hang_up(server.address, request, drop)
            status, location, told_in_flight = resend(server.address, request)
            with lock:
                answers["409 first (still being saved), then"] += told_in_flight > 0
                where = (
                    "headers"
                    if drop.cut < request.index(b"\r\n\r\n") + 4
                    else (
                        "body" if drop.cut < len(request) else ("after last byte" if not drop.wait else "while working")
                    )
                )
                kinds[f"{where}, {drop.label}"] += 1
                answers[f"{status} {location}"] += 1

        started = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, jobs))
        seconds = time.monotonic() - started
        after = loadkit.db_counts(server.url)
        created = after["households"] - before["households"]
        members = after["members"] - before["members"]
        sent_members = sum(size for size, _, _ in jobs)
        print(f"{len(jobs)} dropped submits then resends in {seconds:.1f} s ({args.concurrency} at a time)")
        print("Where the connection was dropped: " + ", ".join(f"{k}: {v}" for k, v in sorted(kinds.items())))
        print("Answers to the resend: " + ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())))
        print(
            f"Households: sent {len(jobs)}, in the database {created}; people: sent {sent_members}, in the "
            f"database {members}"
        )
        if created != len(jobs) or members != sent_members:
            failures.append("households lost or duplicated")
        if any(not k.startswith(("302 ", "409 ")) for k in answers):
            failures.append("a resend was not answered with a redirect")
    finally:
        server.stop()
    if server.tracebacks():
        failures.append(f"{server.tracebacks()} tracebacks in {server.log}")
    return failures


def drill_db_restart(args) -> list[str]:
    server = Server(args)
    failures = []
    timeline: list[tuple[float, int, bool]] = []
    try:
        run = dt.datetime.now().strftime("%H%M%S")
        session = asyncio.run(sign_in_many(server, 1, run + "poll"))[0]
        stop = threading.Event()
        t0 = time.monotonic()

        def poll() -> None:
            request = (
                f"GET /household HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: sessionid={session}\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            while not stop.is_set():
                try:
                    with socket.create_connection(server.address, timeout=10) as sock:
                        sock.sendall(request)
                        data = b""
                        while chunk := sock.recv(65536):
                            data += chunk
                    status = int(data.split(b" ", 2)[1])
                    friendly = status != 503 or (TRY_AGAIN in data and b"Traceback" not in data)
                    timeline.append((time.monotonic() - t0, status, friendly))
                except OSError:
                    timeline.append((time.monotonic() - t0, 0, False))
                time.sleep(0.1)

        poller = threading.Thread(target=poll)
        poller.start()
        pg = [
            *os.environ.get("AS_PG", "").split(),
            f"{os.environ['PG_BINDIR']}/pg_ctl",
            "-D",
            os.environ["PGDATA_TEST"],
        ]

        def outage() -> None:
            time.sleep(args.before)
            print(f"t={time.monotonic() - t0:.1f} s: stopping PostgreSQL")
            subprocess.run([*pg, "-m", "fast", "stop"], check=True, capture_output=True)
            down_at = time.monotonic() - t0
            time.sleep(args.down)
            print(f"t={time.monotonic() - t0:.1f} s: starting PostgreSQL")
            port = urlsplit(os.environ["DATABASE_URL"]).port
            options = (
                f"-p {port} -k {Path(os.environ['PGDATA_TEST']).parent} -c listen_addresses=127.0.0.1 "
                "-c fsync=off -c max_connections=200"
            )  # as scripts/postgres.sh started it
            subprocess.run(
                [*pg, "-l", f"{Path(os.environ['PGDATA_TEST']).parent}/log", "-w", "-o", options, "start"],
                check=True,
                capture_output=True,
            )
            outage_window.extend([down_at, time.monotonic() - t0])

        outage_window: list[float] = []
        thread = threading.Thread(target=outage)
        thread.start()
        before = loadkit.db_counts(server.url)
        stats, flow = asyncio.run(load_test.run_flows(args, args.users, args.duration, server.place, server.port, run))
        thread.join()
        stop.set()
        poller.join()
        after = loadkit.db_counts(server.url)
    finally:
        server.stop()
    loadkit.print_table(f"applicants during the restart ({args.users} users, {args.duration} s)", stats.rows())
    down_at, up_at = outage_window
    statuses = Counter(status for _, status, _ in timeline)
    unfriendly = [(t, s) for t, s, ok in timeline if not ok]
    recovered = next((t for t, s, _ in timeline if t > up_at and s in (200, 302)), None)
    during = Counter(s for t, s, _ in timeline if down_at <= t <= up_at)
    print(f"Status page poller: {dict(statuses)}; while the database was down: {dict(during)}")
    print(
        f"First answer from the database after it was back: "
        f"{f'{recovered - up_at:.1f} s later' if recovered is not None else 'never'}"
    )
    created = after["households"] - before["households"]
    print(
        f"Registrations the client saw succeed: {flow.registered}; in the database: +{created}; "
        f"no answer after 3 tries: {flow.unknown}"
    )
    if any(s == 500 for s in statuses) or any(r["statuses"].get("500") for r in stats.rows()):
        failures.append("500 answers")
    if unfriendly:
        failures.append(f"{len(unfriendly)} answers were not the friendly page or no answer: {unfriendly[:5]}")
    if recovered is None or recovered - up_at > 10:
        failures.append("no recovery within 10 s of the database coming back")
    if not (flow.registered <= created <= flow.registered + flow.unknown):
        failures.append("households lost or duplicated")
    return failures


def appointments(url: str, date: str) -> tuple[str, str, int, str]:
    run = psql(url, "SELECT status, seed, pool_hash FROM allocation_allocationrun WHERE date = %s", (date,))
    rows = psql(
        url,
        "SELECT h.reference, a.port_id, a.window_start, a.share, a.people, a.status "
        "FROM allocation_appointment a JOIN registrations_household h ON h.id = a.household_id "
        "WHERE a.date = %s ORDER BY h.reference",
        (date,),
    )
    offered = psql(url, "SELECT count(*) FROM registrations_household WHERE status <> 'waiting'")[0][0]
    digest = hashlib.sha256(repr((run and run[0][1:], rows)).encode()).hexdigest()[:16]
    return (run[0][0] if run else "none"), digest, len(rows), str(offered)


def drill_allocate_kill(args) -> list[str]:
    import psycopg.conninfo

    workdir = Path(tempfile.mkdtemp(prefix="cita-kill."))
    source = loadkit.prepare_source(args.source, workdir)
    base_url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DEBUG": "false", "PYTHONPATH": str(source)}
    loadkit.manage(source, {**env, "DATABASE_URL": base_url}, "migrate", "-v", "0")
    print(f"Generating {args.pool:,} waiting households ...")
    loadkit.manage(
        source, {**env, "DATABASE_URL": base_url}, "generate_households", "--count", str(args.pool), "--seed", "8"
    )
    base = psycopg.conninfo.conninfo_to_dict(base_url)["dbname"]
    date, seed = (dt.date.today() + dt.timedelta(days=1)).isoformat(), "kill-drill"
    failures = []

    def on(name: str) -> str:
        return base_url.rsplit("/", 1)[0] + "/" + name

    def copy(name: str) -> str:
        psql(on("postgres"), f'DROP DATABASE IF EXISTS "{name}"', autocommit=True)
        psql(on("postgres"), f'CREATE DATABASE "{name}" TEMPLATE "{base}"', autocommit=True)
        return on(name)

    def allocate(url: str) -> subprocess.Popen:
        return subprocess.Popen(
            [loadkit.PYTHON, "manage.py", "allocate", "--date", date, "--seed", seed],
            cwd=source,
            env={**env, "DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )

    reference_url = copy("kill_reference")
    started = time.monotonic()
    assert allocate(reference_url).wait() == 0
    reference_seconds = time.monotonic() - started
    reference = appointments(reference_url, date)
    print(
        f"Uninterrupted run: {reference_seconds:.1f} s, run {reference[0]}, {reference[2]} appointments, "
        f"result {reference[1]}"
    )
    rng = random.Random(args.seed)
    for trial in range(args.trials):
        url = copy(f"kill_trial_{trial}")
        delay = rng.uniform(0.3, reference_seconds * 1.05)
        process = allocate(url)
        time.sleep(delay)
        finished_first = process.poll() is not None
        process.send_signal(signal.SIGKILL)
        process.wait()
        time.sleep(0.5)  # the server notices the closed connection and rolls back
        status, digest, count, offered = appointments(url, date)
        partial = not (
            (status in ("none", "committed") and count == 0 and offered == "0")
            or (status != "committed" and (digest, count) == reference[1:3])
        )
        rerun = allocate(url).wait()
        after = appointments(url, date)
        same = after[1:3] == reference[1:3] and after[0] == reference[0]
        print(
            f"  trial {trial}: SIGKILL at {delay:.2f} s{' (already done)' if finished_first else ''}: left run "
            f"{status} with {count} appointments{' PARTIAL' if partial else ''}; rerun exit {rerun}: "
            f"{'same result' if same else 'DIFFERENT: ' + repr(after)}"
        )
        if partial:
            failures.append(f"trial {trial}: partial allocation left behind")
        if rerun != 0 or not same:
            failures.append(f"trial {trial}: rerun differs from the uninterrupted run")
        psql(on("postgres"), f'DROP DATABASE "kill_trial_{trial}"', autocommit=True)
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("drill", choices=["drop", "db-restart", "allocate-kill", "disk-full"])
    parser.add_argument("--count", type=int, default=1000, help="drop: households")
    parser.add_argument("--concurrency", type=int, default=16, help="drop: submits at a time")
    parser.add_argument("--users", type=int, default=40, help="db-restart, disk-full: applicants at a time")
    parser.add_argument("--duration", type=int, default=40, help="db-restart: seconds of load")
    parser.add_argument("--before", type=float, default=10, help="db-restart: seconds before the stop")
    parser.add_argument("--down", type=float, default=5, help="db-restart: seconds the database stays down")
    parser.add_argument(
        "--headroom", type=int, help="disk-full: MB free when the load starts (12; 8 with --wal-elsewhere)"
    )
    parser.add_argument(
        "--wal-elsewhere", action="store_true", help="disk-full: pg_wal off the tmpfs, only tables fill (ERROR 53100)"
    )
    parser.add_argument("--full", type=float, default=10, help="disk-full: seconds of load on the full disk")
    parser.add_argument("--fill-timeout", type=float, default=180, help="disk-full: give up if not full by then")
    parser.add_argument("--trials", type=int, default=10, help="allocate-kill: kills")
    parser.add_argument("--pool", type=int, default=50_000, help="allocate-kill: waiting households")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--source", default="head", choices=["head", "worktree"])
    args = parser.parse_args()
    args.think, args.status_checks, args.timeout = 0.0, 3, 30.0
    if args.drill == "disk-full":  # starts its own PostgreSQL, on a tmpfs
        from fault_disk_full import drill_disk_full

        failures = drill_disk_full(args)
    elif not os.environ.get("DATABASE_URL"):
        script = 'source scripts/postgres.sh && start_postgres && "$0" "$@"; status=$?; stop_postgres; exit $status'
        return subprocess.call(["bash", "-c", script, loadkit.PYTHON, *sys.argv], cwd=ROOT)
    else:
        drills = {"drop": drill_drop, "db-restart": drill_db_restart, "allocate-kill": drill_allocate_kill}
        failures = drills[args.drill](args)
    print("\nFAILED: " + "; ".join(failures) if failures else "\nOK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
