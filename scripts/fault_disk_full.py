#!/usr/bin/env python
"""The disk-full drill (run through ``scripts/faults.py disk-full``, as root: it mounts a tmpfs).

PostgreSQL's data directory lives on a tmpfs of its own, sized a little above what migrations and
the first sign-ins use. Applicants sign in and register until PostgreSQL reports "No space left on
device", keep sending for --full seconds, then the tmpfs is grown (and PostgreSQL started again if
a WAL PANIC stopped it) and every unsaved form is sent again with its key. The outbox's sender loop
(``send_notifications --loop``) runs beside gunicorn, as in production. Checks: only the 503 "try
again" page (or a household really saved) while full, never a 500; afterwards every form is a
household exactly once, sizes match member rows, pg_amcheck is clean, the sender loop is still
running and no message in the outbox is left unsent; no traceback in either log but the 503s'.
``--wal-elsewhere`` keeps pg_wal off the tmpfs, so only tables fill (ERROR 53100 instead of a PANIC).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import load_test
import loadkit
from faults import TRY_AGAIN, Server, psql, sign_in_many


class TmpfsPostgres:
    """A throw-away PostgreSQL whose data directory is a tmpfs of its own (log and socket stay outside it)."""

    def __init__(self, wal_elsewhere: bool = False) -> None:
        if os.geteuid() != 0:
            raise SystemExit("disk-full mounts a tmpfs for the data directory: run it as root")
        self.bindir = max(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name))
        self.root = Path(tempfile.mkdtemp(prefix="cita-diskfull."))
        self.disk, self.log = self.root / "disk", self.root / "postgres.log"
        self.data = self.disk / "data"
        self.port = loadkit.free_port()
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
    server = sender = None
    try:
        os.environ.update(
            DATABASE_URL=pg.url, PG_BINDIR=str(pg.bindir), PGDATA_TEST=str(pg.data), AS_PG=" ".join(pg.as_pg)
        )
        server = Server(args)
        sender_log = server.workdir / "send_notifications.log"
        with sender_log.open("w") as log:  # the outbox's sender, as production runs it (docs/deployment.md)
            sender = subprocess.Popen(
                [loadkit.PYTHON, "manage.py", "send_notifications", "--loop", "--interval", "0.5"],
                cwd=server.source,
                env=server.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        failures = asyncio.run(fill_disk(args, server, pg))
        failures += check_outbox(server, sender, sender_log)
    finally:
        if sender is not None and sender.poll() is None:
            sender.terminate()
            sender.wait(timeout=30)
        if server is not None:
            server.stop()
            shutil.copy(pg.log, server.workdir / "postgres.log")
        print(f"PostgreSQL log: {pg.log_summary()}")
        pg.close()
    errors = logged_errors(server.log) + logged_errors(sender_log)
    print(
        f"gunicorn log ({server.log}): {errors.pop('503 logged', 0)} outages answered with the 503 page by handler500 "
        f"and logged with their traceback by django.request; other tracebacks (also in {sender_log.name}): "
        f"{sum(errors.values())}"
    )
    if errors:
        failures.append(f"tracebacks other than logged 503s in {server.workdir}: {dict(errors)}")
    return failures


def check_outbox(server: Server, sender: subprocess.Popen, sender_log: Path) -> list[str]:
    """Every message (sign-in codes, mostly) sent once the space is back: a sign-in code committed
    just before the disk filled, whose urgent attempt met the full disk, is the sender loop's to
    send. A message claimed by a send whose record could not be written waits for its claim to run
    out (60 s: not waited for here)."""
    unsent = "SELECT count(*) FROM notifications_notification WHERE status <> 'sent'"
    due = f"{unsent} AND next_attempt_at <= now()"
    deadline = time.monotonic() + 30
    while psql(server.url, due)[0][0] and time.monotonic() < deadline and sender.poll() is None:
        time.sleep(0.5)
    total, left, left_due = (
        psql(server.url, sql)[0][0] for sql in ("SELECT count(*) FROM notifications_notification", unsent, due)
    )
    said = sender_log.read_text(errors="replace").count("database unavailable")
    print(
        f"Outbox: {total} messages, {total - left} sent, {left - left_due} claimed by a send whose record met the "
        f"full disk (sent again when the claim runs out), {left_due} due and unsent; sender loop "
        f"{'still running' if sender.poll() is None else f'stopped (exit {sender.returncode})'}, "
        f"said 'database unavailable' {said} times"
    )
    failures = []
    if sender.poll() is not None:
        failures.append(f"the sender loop stopped (exit {sender.returncode}): see {sender_log}")
    if left_due:
        failures.append(f"{left_due} messages due and unsent 30 s after the space came back")
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

    async def ask(conn: loadkit.Connection, what: str, method: str, path: str, form: dict | None = None):
        started = time.monotonic() - t0
        try:
            status, headers, body = await conn.request(method, path, form)
        except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, loadkit.HTTPError, ValueError):
            status, headers, body = 0, {}, b""
        friendly = (
            status in (200, 302)
            or (status == 503 and TRY_AGAIN in body and b"Traceback" not in body)
            # a key claimed by a submit that died with the database: "send again" until the claim times out
            or (status == 409 and "retry-after" in headers)
        )
        answers.append(Answer(started, time.monotonic() - t0, state["phase"], what, status, friendly))
        return status, headers

    async def sign_in(conn: loadkit.Connection) -> bool:
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

    async def submit(conn: loadkit.Connection, phone: Phone) -> int:
        conn.cookies, conn.forwarded_for = dict(phone.cookies), phone.forwarded_for
        form = {**phone.form, "csrfmiddlewaretoken": conn.cookies.get("csrftoken", "")}
        status, headers = await ask(conn, "submit", "POST", "/household/new", form)
        phone.cookies = dict(conn.cookies)
        if status == 302:
            phone.saved.append(headers.get("location", ""))
        return status

    async def applicant() -> None:
        """Sign in, register; while the disk is full, send the same form again every second, like a phone."""
        conn = loadkit.Connection("127.0.0.1", server.args.port, 30)
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
        before = loadkit.db_counts(server.url)
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
            conn = loadkit.Connection("127.0.0.1", server.args.port, 30)
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
        conn = loadkit.Connection("127.0.0.1", server.args.port, 30)
        for phone in phones:  # every form once more, with the same key: nothing new may be created
            await submit(conn, phone)
        await conn.close()
        after = loadkit.db_counts(server.url)
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
