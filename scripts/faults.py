#!/usr/bin/env python
"""Fault drills against gunicorn on a throw-away PostgreSQL on loopback (see docs/reliability.md).

    .venv/bin/python scripts/faults.py drop --count 1000      # hang up after sending a household, resend
    .venv/bin/python scripts/faults.py db-restart             # stop PostgreSQL under load, start it again
    .venv/bin/python scripts/faults.py allocate-kill --trials 10 --pool 50000

drop           N applicants each send their household over a raw socket and hang up at a random point (in the
               headers, in the body, right after the last byte, or while the server works; clean close or
               TCP reset), then send the same form again. Each household must exist exactly once.
db-restart     applicants sign in and register while a poller reads the status page every 0.1 s; PostgreSQL is
               stopped (pg_ctl -m fast) for --down seconds and started again. Every answer during the outage must
               be the 503 "try again" page (never a 500 or a stack trace), and gunicorn must recover by itself.
allocate-kill  an uninterrupted ``allocate`` on a copy of the database is the reference; on fresh copies,
               ``allocate`` is killed with SIGKILL at a random moment; nothing partial may remain, and a rerun
               with the same seed must give exactly the reference appointments.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import datetime as dt
import hashlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "scripts"), str(ROOT)]

import load_test  # noqa: E402

from tests.faults.dropping import form_request, random_drop, send, send_and_hang_up  # noqa: E402

TRY_AGAIN = b"Try again in a minute"


def psql(url: str, sql: str, params=(), autocommit: bool = False):
    import psycopg

    with psycopg.connect(url, autocommit=autocommit) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


class Server:
    """gunicorn serving a clean copy of HEAD, as in the load test."""

    def __init__(self, args) -> None:
        args.port, args.codes_port = load_test.free_port(), load_test.free_port()
        args.worker_class, args.threads, args.access_log = "gthread", 4, False
        args.workers = 2 * (os.cpu_count() or 1) + 1
        self.args = args
        self.workdir = Path(tempfile.mkdtemp(prefix="cita-faults."))
        self.source = load_test.prepare_source(args.source, self.workdir)
        self.env = load_test.server_env(args, self.source)
        load_test.manage(self.source, self.env, "compilemessages", "--ignore=.venv", "-v", "0", check=False)
        load_test.manage(self.source, self.env, "migrate", "-v", "0")
        load_test.manage(self.source, self.env, "collectstatic", "--noinput", "-v", "0")
        self.url = os.environ["DATABASE_URL"]
        self.place, self.port = load_test.lookup(self.url)
        self.log = self.workdir / "gunicorn.log"
        self.process = load_test.start_gunicorn(args, self.source, self.env, self.log)
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
        conn = load_test.Connection("127.0.0.1", server.args.port, 30)
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
        before = load_test.db_counts(server.url)
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
            status, location = send(server.address, request)
            told_in_flight = 0
            while status == 409 and told_in_flight < 50:  # the dropped one is still being saved: ask again soon
                told_in_flight += 1
                time.sleep(0.1)
                status, location = send(server.address, request)
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
        after = load_test.db_counts(server.url)
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
        before = load_test.db_counts(server.url)
        stats, flow = asyncio.run(load_test.run_flows(args, args.users, args.duration, server.place, server.port, run))
        thread.join()
        stop.set()
        poller.join()
        after = load_test.db_counts(server.url)
    finally:
        server.stop()
    load_test.print_table(f"applicants during the restart ({args.users} users, {args.duration} s)", stats.rows())
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


class TmpfsPostgres:
    """A throw-away PostgreSQL whose data directory is a tmpfs of its own (log and socket stay outside it)."""

    def __init__(self, wal_elsewhere: bool = False) -> None:
        if os.geteuid() != 0:
            raise SystemExit("disk-full mounts a tmpfs for the data directory: run it as root")
        self.bindir = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
        self.root = Path(tempfile.mkdtemp(prefix="cita-diskfull."))
        self.disk, self.log = self.root / "disk", self.root / "postgres.log"
        self.data = self.disk / "data"
        self.port = load_test.free_port()
        self.url = f"postgres://cita@127.0.0.1:{self.port}/cita"
        self.as_pg = ["runuser", "-u", "postgres", "--"]
        self.mounted = False
        self.disk.mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1g,mode=0700", "cita-diskfull", self.disk], check=True)
        self.mounted = True
        for path in (self.root, self.disk):
            shutil.chown(path, "postgres", "postgres")
        # 1 MB WAL segments (instead of 16 MB) so the disk fills bit by bit rather than at one 16 MB step.
        subprocess.run(
            [*self.as_pg, self.bindir / "initdb", "-D", self.data, "-U", "cita", "-A", "trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8", "--wal-segsize=1"]
            + ([f"--waldir={self.root / 'wal'}"] if wal_elsewhere else []),
            check=True,
            capture_output=True,
        )
        self.start()
        subprocess.run(
            [self.bindir / "createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "cita", "cita"], check=True
        )

    def pg_ctl(self, *args: str | Path, check: bool = True) -> subprocess.CompletedProcess:
        command = [*self.as_pg, self.bindir / "pg_ctl", "-D", self.data, *args]
        return subprocess.run(command, check=check, capture_output=True, text=True)

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200"
        self.pg_ctl("-l", self.log, "-w", "-t", "120", "-o", options, "start")  # as scripts/postgres.sh does

    def running(self) -> bool:
        return self.pg_ctl("status", check=False).returncode == 0

    def used(self) -> int:
        stat = os.statvfs(self.disk)
        return (stat.f_blocks - stat.f_bfree) * stat.f_frsize

    def resize(self, size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", self.disk], check=True)

    def full(self) -> bool:
        return "No space left on device" in self.log.read_text(errors="replace")

    def log_summary(self) -> str:
        lines = self.log.read_text(errors="replace").splitlines()
        full = [line for line in lines if "No space left on device" in line]
        errors = sum(" ERROR: " in line for line in full)
        panics = sum(" PANIC: " in line for line in full)
        crashes = sum("all server processes terminated; reinitializing" in line for line in lines)
        stopped = sum("shutting down due to startup process failure" in line for line in lines)
        return (
            f'ERROR "No space left on device" {errors} times, PANIC {panics} times; crash recoveries {crashes}, '
            f"of which stopped the server for want of space: {stopped}"
        )

    def close(self) -> None:
        if self.mounted:
            self.pg_ctl("-m", "immediate", "stop", check=False)
            for _ in range(20):
                if subprocess.run(["umount", self.disk], capture_output=True).returncode == 0:
                    break
                time.sleep(0.5)
            else:
                subprocess.run(["umount", "-l", self.disk], check=False)
        shutil.rmtree(self.root, ignore_errors=True)


@dataclass
class Phone:
    """One applicant's phone: signed in, holding one household form (and its key) until it is saved."""

    cookies: dict
    forwarded_for: str
    form: dict
    size: int
    saved: list[str] = field(default_factory=list)  # Location of every 302 to this form


@dataclass
class Answer:
    started: float
    ended: float
    phase: str
    what: str
    status: int  # 0: no answer
    friendly: bool  # 200, 302, the 503 "try again" page without a stack trace, or 409 "still being saved"


def logged_errors(log: Path) -> Counter:
    """Tracebacks in gunicorn's log by the line that introduced them. An outage met before the view is
    answered by handler500 with the 503 page, and django.request logs it with its traceback as
    "Service Unavailable: /path". A session that could not be saved is logged by django.security as
    "session interrupted" before handler400 answers it with the same 503 page (every answer is checked
    apart). Anything else (a 500, a crashed worker) is a bug."""
    kinds: Counter = Counter()
    previous = ""
    outage = ("Service Unavailable: ", "The request's session was deleted before the request completed")
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith("Traceback") and not previous.startswith(("During handling", "The above exception")):
            kinds["503 logged" if previous.startswith(outage) else previous] += 1
        if line.strip():
            previous = line
    return kinds


def drill_disk_full(args) -> list[str]:
    pg = TmpfsPostgres(args.wal_elsewhere)
    server = None
    try:
        os.environ.update(
            DATABASE_URL=pg.url, PG_BINDIR=str(pg.bindir), PGDATA_TEST=str(pg.data), AS_PG=" ".join(pg.as_pg)
        )
        server = Server(args)
        failures = asyncio.run(fill_disk(args, server, pg))
    finally:
        if server is not None:
            server.stop()
            shutil.copy(pg.log, server.workdir / "postgres.log")
        print(f"PostgreSQL log: {pg.log_summary()}")
        pg.close()
    errors = logged_errors(server.log)
    print(
        f"gunicorn log ({server.log}): {errors.pop('503 logged', 0)} outages answered with the 503 page by handler500 "
        f"and logged with their traceback by django.request; other tracebacks: {sum(errors.values())}"
    )
    if errors:
        failures.append(f"tracebacks other than logged 503s in {server.log}: {dict(errors)}")
    return failures


async def fill_disk(args, server: Server, pg: TmpfsPostgres) -> list[str]:
    run = dt.datetime.now().strftime("%H%M%S")
    rng = random.Random(args.seed)
    reserve = [(session, load_test.next_client_address()) for session in await sign_in_many(server, args.users, run)]
    await asyncio.sleep(0.1)  # sign_in_many's socket for the codes closes on the next turn of the loop
    codes = load_test.Codes()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: codes, local_addr=("127.0.0.1", server.args.codes_port))
    answers: list[Answer] = []
    phones: list[Phone] = []
    serial = iter(range(10**9))
    state = {"phase": "fill"}
    t0 = time.monotonic()

    async def ask(conn: load_test.Connection, what: str, method: str, path: str, form: dict | None = None):
        started = time.monotonic() - t0
        try:
            status, headers, body = await conn.request(method, path, form)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, load_test.HTTPError, ValueError):
            status, headers, body = 0, {}, b""
        friendly = (
            status in (200, 302)
            or (status == 503 and TRY_AGAIN in body and b"Traceback" not in body)
            # a key claimed by a submit that died with the database: "send again" until the claim times out
            or (status == 409 and "retry-after" in headers)
        )
        answers.append(Answer(started, time.monotonic() - t0, state["phase"], what, status, friendly))
        return status, headers

    async def sign_in(conn: load_test.Connection) -> bool:
        conn.cookies.clear()
        conn.forwarded_for = load_test.next_client_address()
        address = f"full-{run}-{next(serial)}@example.org"
        if (await ask(conn, "sign-in", "GET", "/signin"))[0] != 200:
            return False
        form = {"csrfmiddlewaretoken": conn.cookies.get("csrftoken", ""), "address": address}
        if (await ask(conn, "sign-in", "POST", "/signin", form))[0] != 302:
            return False
        try:
            code = await codes.code_for(address, 10)
        except TimeoutError:
            return False
        form = {"csrfmiddlewaretoken": conn.cookies.get("csrftoken", ""), "code": code}
        return (await ask(conn, "sign-in", "POST", "/signin/code", form))[0] == 302 and "sessionid" in conn.cookies

    async def submit(conn: load_test.Connection, phone: Phone) -> int:
        conn.cookies, conn.forwarded_for = dict(phone.cookies), phone.forwarded_for
        form = {**phone.form, "csrfmiddlewaretoken": conn.cookies.get("csrftoken", "")}
        status, headers = await ask(conn, "submit", "POST", "/household/new", form)
        phone.cookies = dict(conn.cookies)
        if status == 302:
            phone.saved.append(headers.get("location", ""))
        return status

    async def applicant() -> None:
        """Sign in, register; while the disk is full, send the same form again every second, like a phone."""
        conn = load_test.Connection("127.0.0.1", server.args.port, 30)
        phone = None
        while state["phase"] == "fill":
            if phone is None:
                if await sign_in(conn):
                    cookies, forwarded_for = dict(conn.cookies), conn.forwarded_for
                elif reserve:  # sign-in writes too: take an applicant who signed in before the disk filled
                    session, forwarded_for = reserve.pop()
                    cookies = {"sessionid": session, "csrftoken": os.urandom(16).hex()}
                else:
                    await asyncio.sleep(1)
                    continue
                size = rng.choice([1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8])
                form = load_test.household_form(
                    os.urandom(16).hex(), next(load_test.FAMILY_SERIAL), size, server.place, server.port, rng
                )
                phone = Phone(cookies, forwarded_for, form, size)
                phones.append(phone)
            if await submit(conn, phone) == 302:
                phone = None
            else:
                await asyncio.sleep(1)
        await conn.close()

    try:
        before = load_test.db_counts(server.url)
        used = pg.used()
        headroom = args.headroom or (8 if args.wal_elsewhere else 12)
        size = used + headroom * 2**20
        pg.resize(size)
        print(
            f"tmpfs for the data directory{' (pg_wal elsewhere)' if args.wal_elsewhere else ''}: {size / 2**20:.1f} "
            f"MB ({used / 2**20:.1f} MB used after migrations and {args.users} sign-ins, + {headroom} MB)"
        )
        fill_started = time.monotonic() - t0
        workers = [asyncio.create_task(applicant()) for _ in range(args.users)]
        full_at = None
        while full_at is None and time.monotonic() - t0 - fill_started < args.fill_timeout:
            await asyncio.sleep(0.2)
            if pg.full():
                full_at = time.monotonic() - t0
        if full_at is None:
            state["phase"] = "stopped"
            await asyncio.gather(*workers)
            return [f"the disk did not fill in {args.fill_timeout} s: lower --headroom"]
        print(
            f't={full_at:.1f} s: PostgreSQL reports "No space left on device" ({full_at - fill_started:.1f} s of load)'
        )
        await asyncio.sleep(args.full)
        state["phase"] = "growing"
        await asyncio.gather(*workers)
        went_down = not pg.running()
        pg.resize(2**30)
        space_at = time.monotonic() - t0
        print(
            f"t={space_at:.1f} s: tmpfs grown to 1 GB; PostgreSQL {'was down' if went_down else 'still running'}; "
            f"{sum(not p.saved for p in phones)} forms waiting to be sent again"
        )
        state["phase"] = "recovery"
        restarts = 0
        if went_down:
            pg.start()
            restarts += 1

        async def resend(phone: Phone, deadline: float) -> None:
            conn = load_test.Connection("127.0.0.1", server.args.port, 30)
            while time.monotonic() < deadline and await submit(conn, phone) != 302:
                await asyncio.sleep(1)
            await conn.close()

        deadline = time.monotonic() + 90
        pending = [phone for phone in phones if not phone.saved]
        recovering = asyncio.gather(*(resend(phone, deadline) for phone in pending))
        while not recovering.done():  # a PANIC's crash recovery may have ended in a stop: start it again
            await asyncio.sleep(1)
            if not pg.running():
                pg.start()
                restarts += 1
        await recovering
        state["phase"] = "resend all"
        conn = load_test.Connection("127.0.0.1", server.args.port, 30)
        for phone in phones:  # every form once more, with the same key: nothing new may be created
            await submit(conn, phone)
        await conn.close()
        after = load_test.db_counts(server.url)
    finally:
        state["phase"] = "stopped"
        transport.close()
    keys = [phone.form["idempotency_key"] for phone in phones]
    stored_keys = psql(server.url, "SELECT count(*) FROM registrations_idempotencykey WHERE key = ANY(%s)", (keys,))[0][
        0
    ]
    wrong_size = psql(
        server.url,
        "SELECT count(*) FROM registrations_household h "
        "WHERE h.size <> (SELECT count(*) FROM registrations_member m WHERE m.household_id = h.id)",
    )[0][0]
    amcheck = subprocess.run(
        [pg.bindir / "pg_amcheck", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "cita", "--install-missing"]
        + ["--heapallindexed", "--rootdescend", "cita"],
        capture_output=True,
        text=True,
    )
    return report_disk_full(
        answers, phones, fill_started, full_at, space_at, before, after, stored_keys, wrong_size, amcheck, restarts
    )


def report_disk_full(
    answers, phones, fill_started, full_at, space_at, before, after, stored_keys, wrong_size, amcheck, restarts
) -> list[str]:
    failures = []

    def counts(selected) -> str:
        return (
            ", ".join(
                f"{status or 'no answer'}: {n}" for status, n in sorted(Counter(a.status for a in selected).items())
            )
            or "none"
        )

    for phase in ("fill", "recovery", "resend all"):
        for what in ("sign-in", "submit"):
            selected = [a for a in answers if a.phase == phase and a.what == what]
            if selected:
                print(f"  {phase}, {what}: {counts(selected)}")
    during = [a for a in answers if a.what == "submit" and a.started >= full_at and a.ended <= space_at]
    print(f"Submits while the disk was full ({space_at - full_at:.1f} s): {counts(during)}")
    if any(a.status == 302 for a in during):
        print("  (a 302 is a household that still fitted in pages PostgreSQL had already allocated: it was saved)")
    saved_after = [a.ended for a in answers if a.phase == "recovery" and a.status == 302]
    recovered = min(saved_after, default=None)
    print(
        f"After the space came back: first household saved "
        f"{f'{recovered - space_at:.1f} s later' if recovered is not None else 'never'}, the last waiting form "
        f"{f'{max(saved_after) - space_at:.1f} s later' if saved_after else 'never'}; "
        f"PostgreSQL started again by the drill: {restarts} times"
    )
    created, members = after["households"] - before["households"], after["members"] - before["members"]
    saved = sum(bool(phone.saved) for phone in phones)
    print(
        f"Households: {len(phones)} forms, {saved} answered 302; in the database +{created} households, "
        f"+{members} people (sent {sum(p.size for p in phones)}); idempotency keys stored: {stored_keys}"
    )
    print(
        f"Integrity: households whose size differs from their member rows: {wrong_size}; pg_amcheck exit "
        f"{amcheck.returncode}{(': ' + (amcheck.stdout + amcheck.stderr).strip()[:2000]) if amcheck.returncode else ''}"
    )
    if not during:
        failures.append("no submit was answered while the disk was full")
    if any(a.status == 500 for a in answers):
        failures.append(f"{sum(a.status == 500 for a in answers)} answers were 500")
    unfriendly = [a for a in answers if not a.friendly]
    if unfriendly:
        failures.append(f"{len(unfriendly)} answers were not 200, 302 or the 503 page: {unfriendly[:5]}")
    if any(a.status not in (302, 503) for a in during):
        failures.append("a submit while the disk was full was answered other than 503 (or 302, saved)")
    if recovered is None or recovered - space_at > 30:
        failures.append("no household saved within 30 s of the space coming back")
    if (
        saved != len(phones)
        or created != len(phones)
        or stored_keys != len(phones)
        or members != sum(p.size for p in phones)
    ):
        failures.append("households lost or duplicated")
    bad_resend = [p.saved for p in phones if any(not url.startswith("/household") for url in p.saved)]
    if bad_resend:
        failures.append(f"resends redirected elsewhere: {bad_resend[:5]}")
    if wrong_size:
        failures.append("households whose size differs from their members")
    if amcheck.returncode:
        failures.append("pg_amcheck found corruption")
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
    source = load_test.prepare_source(args.source, workdir)
    base_url = os.environ["DATABASE_URL"]
    env = {**os.environ, "DEBUG": "false", "PYTHONPATH": str(source)}
    load_test.manage(source, {**env, "DATABASE_URL": base_url}, "migrate", "-v", "0")
    print(f"Generating {args.pool:,} waiting households ...")
    load_test.manage(
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
            [load_test.PYTHON, "manage.py", "allocate", "--date", date, "--seed", seed],
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
        failures = drill_disk_full(args)
    elif not os.environ.get("DATABASE_URL"):
        script = 'source scripts/postgres.sh && start_postgres && "$0" "$@"; status=$?; stop_postgres; exit $status'
        return subprocess.call(["bash", "-c", script, load_test.PYTHON, *sys.argv], cwd=ROOT)
    else:
        drills = {"drop": drill_drop, "db-restart": drill_db_restart, "allocate-kill": drill_allocate_kill}
        failures = drills[args.drill](args)
    print("\nFAILED: " + "; ".join(failures) if failures else "\nOK")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
