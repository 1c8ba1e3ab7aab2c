#!/usr/bin/env python
"""Load test: gunicorn on PostgreSQL on loopback, applicants signing in and registering, a morning rush.

    .venv/bin/python scripts/load_test.py                       # all scenarios, 60 s each
    .venv/bin/python scripts/load_test.py --scenario peak --duration 600
    .venv/bin/python scripts/load_test.py --scenario rush --connections 256
    .venv/bin/python scripts/load_test.py --scenario rush-allocate --pool 100000

Without DATABASE_URL it starts a throw-away PostgreSQL with scripts/postgres.sh. It serves a clean
copy of the committed code (``git archive HEAD``) so edits in progress cannot skew the figures;
``--source worktree`` serves the checkout as it is. Everything listens on 127.0.0.1 only.

Scenarios:
  peak           --users virtual applicants (default 200), each: sign in with a one-time code, register a
                 household of 1-8 people, check the status page --status-checks times, then start again as a
                 new applicant. Closed loop: --think seconds between pages (0 = as fast as the server answers).
  rush           wrk: GET /household with --connections keep-alive connections, cookies of signed-in
                 applicants with households (made first if the peak scenario did not run).
  ceiling        wrk: GET /healthz (one SELECT 1, no session) and GET /healthz with applicants' session cookies
                 (session and applicant loaded): the most this machine serves through the whole stack, to
                 judge the rush figures against.
  rush-allocate  the rush while ``allocate`` draws a day for --pool synthetic waiting households; then
                 ``verify_allocation`` repeats the draw.
  anchor         issue 18's yardstick (scripts/load_anchor.py): a 1 KB Django view, the same reading one row,
                 home, a public page, registration of a household of 4 and the status page, in one run of
                 about 4 minutes; one line per page as a ratio to the anchor, then `targets met` or
                 `targets not met: ...`. Not part of "all".

Checks: no 5xx anywhere; every registration the client saw succeed is in the database exactly once, and
the database holds no household the client did not send (households and members counted before and after).

Codes reach the client the way an SMS gateway would get them: the server uses LoadTestBackend (below),
which stores the message in the outbox like the default backend and also sends it over UDP to the client.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import string
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import load_anchor  # noqa: E402
from loadkit import (  # noqa: E402
    PYTHON,
    ROOT,
    Connection,
    CpuMeter,
    HTTPError,
    Stats,
    build_served_files,
    children_of,
    db_counts,
    free_port,
    lookup,
    manage,
    postgres_pids,
    prepare_source,
    print_table,
    server_env,
    start_gunicorn,
)

CODE_RE = re.compile(rb"\b(\d{6})\b")


class LoadTestBackend:
    """Message backend for the server under test: the outbox as usual, plus a UDP copy to the load client."""

    def send(self, *, channel: str, address: str, subject: str, body: str, message_id: str = "") -> None:
        from shared.messaging import DatabaseBackend

        DatabaseBackend().send(channel=channel, address=address, subject=subject, body=body)
        target = os.environ["LOAD_TEST_CODES_UDP"].rsplit(":", 1)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.sendto(f"{address}\t{body}".encode(), (target[0], int(target[1])))


# --------------------------------------------------------------------------------------------------
# The applicant flow


class Codes(asyncio.DatagramProtocol):
    """Receives the messages LoadTestBackend sends; hands each code to whoever waits for that address."""

    def __init__(self) -> None:
        self.waiting: dict[str, asyncio.Future] = {}
        self.early: dict[str, str] = {}

    def datagram_received(self, data: bytes, addr) -> None:
        address, _, body = data.partition(b"\t")
        match = CODE_RE.search(body)
        if not match:
            return
        key, code = address.decode(), match.group(1).decode()
        future = self.waiting.pop(key, None)
        if future is not None and not future.done():
            future.set_result(code)
        else:
            self.early[key] = code

    async def code_for(self, address: str, timeout: float) -> str:
        if address in self.early:
            return self.early.pop(address)
        future = asyncio.get_running_loop().create_future()
        self.waiting[address] = future
        return await asyncio.wait_for(future, timeout)


CLIENT_SERIAL = iter(range(1, 2**24))


def next_client_address() -> str:
    n = next(CLIENT_SERIAL)
    return f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}"


def letters(n: int, width: int = 8) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 26)
        out.append(string.ascii_lowercase[r])
    return "".join(out).capitalize()


# Family names unique across runs on the same database: nobody is "already registered elsewhere".
FAMILY_SERIAL = iter(range(int(time.time() * 100) % 26**8, 26**9))
GIVEN = ["María", "José", "Ana", "Luis", "Sofía", "Diego", "Wislande", "Jean", "Olga", "Li", "Fatima", "Yusuf"]
RELATIONS = ["partner", "child", "child", "child", "parent", "sibling", "grandchild", "relative"]


def household_form(key: str, serial: int, size: int, place: int, port: int, rng: random.Random) -> dict:
    family = f"Carga {letters(serial)}"  # unique per household: no one is already registered elsewhere
    data = {
        "idempotency_key": key,
        "current_place": str(place),
        "preferred_port": str(port),
        "contact_phone": "",
        "contact_email": "",
        "language": "es",
        "members-TOTAL_FORMS": str(size),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
    }
    for i in range(size):
        born = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 26000))
        data.update(
            {
                f"members-{i}-given_names": f"{rng.choice(GIVEN)} {letters(i, 2)}",
                f"members-{i}-family_names": family,
                f"members-{i}-date_of_birth": born.isoformat(),
                f"members-{i}-nationality": rng.choice(["VE", "HT", "HN", "CU", "RU", "CN", "CO", "MX"]),
                f"members-{i}-sex": rng.choice("FMX"),
                f"members-{i}-relationship": "head" if i == 0 else rng.choice(RELATIONS),
                f"members-{i}-languages": "Español",
                f"members-{i}-needs": "",
            }
        )
    return data


@dataclass
class FlowResult:
    registered: int = 0
    members: int = 0
    unknown: int = 0  # the submit got no answer even after resends: the household may or may not exist
    resends: int = 0
    sessions: list = field(default_factory=list)


class Flow:
    def __init__(self, args, codes: Codes, stats: Stats, place: int, port: int, run: str) -> None:
        self.args, self.codes, self.stats = args, codes, stats
        self.place, self.port, self.run = place, port, run
        self.result = FlowResult()

    async def timed(self, conn: Connection, endpoint: str, method: str, path: str, form: dict | None = None):
        started = time.monotonic()
        try:
            status, headers, body = await conn.request(method, path, form)
        except asyncio.TimeoutError:
            self.stats.add(endpoint, "timeout", time.monotonic() - started)
            raise
        except (OSError, ConnectionError, asyncio.IncompleteReadError, HTTPError, ValueError) as error:
            self.stats.add(endpoint, type(error).__name__, time.monotonic() - started)
            raise
        self.stats.add(endpoint, status, time.monotonic() - started)
        return status, headers, body

    async def think(self) -> None:
        if self.args.think:
            await asyncio.sleep(random.uniform(0.5, 1.5) * self.args.think)

    async def applicant(self, user: int, deadline: float, rng: random.Random) -> None:
        """One applicant after another on this virtual user's phone, until the deadline."""
        conn = Connection("127.0.0.1", self.args.port, self.args.timeout)
        n = 0
        while time.monotonic() < deadline:
            n += 1
            conn.cookies.clear()
            conn.forwarded_for = next_client_address()
            try:
                await self.one(conn, f"load-{self.run}-{user}-{n}@example.org", rng, deadline)
            except (asyncio.TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError, HTTPError, ValueError):
                await conn.close()
                await asyncio.sleep(0.5)
        await conn.close()

    def csrf(self, conn: Connection) -> str:
        return conn.cookies.get("csrftoken", "")

    async def one(self, conn: Connection, address: str, rng: random.Random, deadline: float) -> None:
        status, _, _ = await self.timed(conn, "GET /signin", "GET", "/signin")
        await self.think()
        status, headers, _ = await self.timed(
            conn, "POST /signin", "POST", "/signin", {"csrfmiddlewaretoken": self.csrf(conn), "address": address}
        )
        if status != 302:
            return
        code = await self.codes.code_for(address, self.args.timeout)
        await self.think()
        status, headers, _ = await self.timed(
            conn, "POST /signin/code", "POST", "/signin/code", {"csrfmiddlewaretoken": self.csrf(conn), "code": code}
        )
        if status != 302:
            return
        if headers.get("location", "").endswith("/recovery-codes"):
            await self.timed(
                conn, "POST /recovery-codes", "POST", "/recovery-codes", {"csrfmiddlewaretoken": self.csrf(conn)}
            )
        await self.timed(conn, "GET /household/new", "GET", "/household/new")
        await self.think()
        size = rng.choice([1, 1, 2, 2, 3, 3, 4, 4, 5, 6, 7, 8])
        form = household_form(os.urandom(16).hex(), next(FAMILY_SERIAL), size, self.place, self.port, rng)
        form["csrfmiddlewaretoken"] = self.csrf(conn)
        outcome = None
        for attempt in range(3):  # a phone that got no answer sends the same form again, same key
            try:
                status, headers, _ = await self.timed(conn, "POST /household/new", "POST", "/household/new", form)
            except (asyncio.TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError):
                self.result.resends += attempt < 2
                continue
            if status >= 500 or status == 409:  # 409: the first send is still being saved; ask again shortly
                self.result.resends += attempt < 2
                await asyncio.sleep(1)
                continue
            outcome = status, headers.get("location", "")
            break
        if outcome is None:
            self.result.unknown += 1
            return
        saved_before = attempt > 0 and outcome == (302, "/household")  # an earlier send was saved
        if outcome != (302, "/household/registered") and not saved_before:
            print(f"  unexpected registration answer {outcome} for {address}", file=sys.stderr)
            return
        self.result.registered += 1
        self.result.members += size
        self.result.sessions.append(dict(conn.cookies))
        for _ in range(self.args.status_checks):
            if time.monotonic() > deadline:
                break
            await self.think()
            status, _, _ = await self.timed(conn, "GET /household", "GET", "/household")


async def run_flows(args, users: int, duration: float, place: int, port: int, run: str) -> tuple[Stats, FlowResult]:
    loop = asyncio.get_running_loop()
    codes = Codes()
    transport, _ = await loop.create_datagram_endpoint(lambda: codes, local_addr=("127.0.0.1", args.codes_port))
    stats = Stats()
    flow = Flow(args, codes, stats, place, port, run)
    deadline = time.monotonic() + duration
    rngs = [random.Random(f"{run}-{u}") for u in range(users)]

    async def staggered(u: int) -> None:
        await asyncio.sleep(u * min(0.01, duration / 10 / users))  # no thundering herd at t=0
        await flow.applicant(u, deadline, rngs[u])

    try:
        await asyncio.gather(*(staggered(u) for u in range(users)))
    finally:
        stats.finished = time.monotonic()
        transport.close()
    return stats, flow.result


# --------------------------------------------------------------------------------------------------
# The morning rush with wrk

WRK_LUA = """
local cookies = {COOKIES}
local counter = 0
statuses = {}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counter = math.random(#cookies) end
function request()
  counter = counter % #cookies + 1
  return wrk.format("GET", "{PATH}", {["Cookie"] = cookies[counter]})
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local agg = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do agg[tostring(k)] = (agg[tostring(k)] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(agg) do table.insert(parts, string.format('"%s": %d', k, v)) end
  io.write(string.format('WRKJSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "non2xx3xx": %d, "statuses": {%s}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,
    summary.errors.status, table.concat(parts, ", ")))
end
"""


def wrk_command(args, sessions: list[dict], duration: int, workdir: Path, path: str = "/household") -> list[str]:
    cookies = ", ".join('"' + "; ".join(f"{k}={v}" for k, v in s.items()) + '"' for s in sessions)
    script = workdir / "rush.lua"
    script.write_text(WRK_LUA.replace("{COOKIES}", "{" + cookies + "}").replace("{PATH}", path))
    return [
        "wrk",
        f"-t{args.wrk_threads}",
        f"-c{args.connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        f"http://127.0.0.1:{args.port}{path}",
    ]


def run_wrk(args, title: str, label: str, cookies: list[dict], path: str, workdir: Path, meter_groups) -> dict:
    """wrk for --duration seconds: prints its row and the CPU shares, and returns both for the results."""
    with CpuMeter({**meter_groups, "load client (wrk)": lambda: []}) as meter:
        command = wrk_command(args, cookies, args.duration, workdir, path=path)
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    row = parse_wrk(output, endpoint=label)
    print_table(title, [row])
    print(f"CPU (wrk itself not included; machine total is): {meter.report()}")
    return {"rows": [row], **meter.report()}


def parse_wrk(output: str, endpoint: str = "GET /household (wrk)") -> dict:
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    statuses = {k: v for k, v in data["statuses"].items()}
    errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return {
        "endpoint": endpoint,
        "requests": data["requests"],
        "rps": round(data["requests"] / seconds, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "max_ms": round(data["max_us"] / 1000, 1),
        "5xx": sum(v for k, v in statuses.items() if int(k) >= 500),
        "errors": errors,
        "statuses": statuses,
        "socket_errors": {k: data[k] for k in ("connect", "read", "write", "timeout")},
    }


# --------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scenario", default="all", choices=["all", "peak", "rush", "rush-allocate", "ceiling", "anchor"]
    )
    parser.add_argument("--duration", type=int, help="seconds per scenario or page (default 60; anchor: 20 a page)")
    parser.add_argument("--users", type=int, default=200, help="concurrent virtual applicants in the peak")
    parser.add_argument("--think", type=float, default=0.0, help="mean seconds between an applicant's pages")
    parser.add_argument("--status-checks", type=int, default=3, help="status page views after registering")
    parser.add_argument("--connections", type=int, default=256, help="wrk connections in the rush")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], help="default gthread; anchor: sync")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--pool", type=int, default=50_000, help="synthetic waiting households for rush-allocate")
    parser.add_argument("--timeout", type=float, default=30.0, help="client timeout per request, seconds")
    parser.add_argument("--applicants", type=int, default=12_000, help="anchor: signed-in applicants to register")
    parser.add_argument("--rounds", type=int, default=4, help="anchor: every page in turn, this many times")
    parser.add_argument(
        "--pages",
        type=lambda text: [page.strip() for page in text.split(",") if page.strip()],
        help="anchor: only these pages besides the anchor, e.g. 'registration' or 'anchor + 1 row,status page'",
    )
    parser.add_argument("--max-requests", type=int, default=0, help="recycle workers (anchor: 5000, as deployed)")
    parser.add_argument("--source", default="head", choices=["head", "worktree"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args()
    anchor = args.scenario == "anchor"
    args.duration = args.duration or (20 if anchor else 60)
    args.worker_class = args.worker_class or ("sync" if anchor else "gthread")
    args.max_requests = args.max_requests or (5000 if anchor else 0)

    if not os.environ.get("DATABASE_URL"):
        # Re-run inside a shell that owns a throw-away PostgreSQL (stopped and removed on exit).
        script = 'source scripts/postgres.sh && start_postgres && "$0" "$@"; status=$?; stop_postgres; exit $status'
        return subprocess.call(["bash", "-c", script, PYTHON, *sys.argv], cwd=ROOT)
    if shutil.which("wrk") is None and args.scenario != "peak":
        install_wrk()
    url = os.environ["DATABASE_URL"]
    if not url.split("@")[-1].startswith(("127.0.0.1", "localhost")):
        raise SystemExit("The load test only runs against a database on loopback.")

    args.port, args.codes_port = free_port(), free_port()
    workdir = Path(tempfile.mkdtemp(prefix="cita-load."))
    source = prepare_source(args.source, workdir)
    env = server_env(args, source)
    print(f"Serving {'a copy of HEAD' if args.source == 'head' else 'the working tree'} from {source}")
    manage(source, env, "migrate", "-v", "0")
    build_served_files(source, env)
    place, port = lookup(url)
    if anchor:
        failures = load_anchor.run(args, source, env, url, workdir, place, port)
        if args.json:
            args.json.write_text(json.dumps({"rows": args.anchor_rows, "failures": failures}, indent=2))
        return 1 if failures else 0
    log = workdir / "gunicorn.log"
    server = start_gunicorn(args, source, env, log)
    print(
        f"gunicorn {args.workers} {args.worker_class} workers"
        + (f" x {args.threads} threads" if args.worker_class == "gthread" else "")
        + f" on 127.0.0.1:{args.port}"
    )
    meter_groups = {
        "server (gunicorn)": lambda: children_of(server.pid),
        "database (postgres)": postgres_pids,
        "load client (python)": lambda: [os.getpid()],
    }
    results: dict = {"config": {k: v for k, v in vars(args).items() if k not in {"json"}}, "scenarios": {}}
    results["config"]["json"] = None
    failures: list[str] = []
    run = dt.datetime.now().strftime("%H%M%S")
    sessions: list[dict] = []
    try:
        if args.scenario in ("all", "peak"):
            before = db_counts(url)
            print(f"\n== peak: {args.users} applicants for {args.duration} s, think {args.think} s")
            with CpuMeter(meter_groups) as meter:
                stats, flow = asyncio.run(run_flows(args, args.users, args.duration, place, port, run + "p"))
            after = db_counts(url)
            rows = stats.rows()
            print_table("peak", rows)
            created, members = after["households"] - before["households"], after["members"] - before["members"]
            lost = flow.registered - created
            check = {
                "registered_by_client": flow.registered,
                "households_created": created,
                "members_sent": flow.members,
                "members_created": members,
                "unknown_outcome": flow.unknown,
                "resends": flow.resends,
            }
            print(
                f"Registrations the client saw succeed: {flow.registered} ({flow.members} people); households in "
                f"the database: +{created} ({members} people); no answer after 3 tries: {flow.unknown}; resends: "
                f"{flow.resends}"
            )
            print(f"CPU: {meter.report()}")
            submits = next((r for r in rows if r["endpoint"] == "POST /household/new"), None)
            results["scenarios"]["peak"] = {"rows": rows, "check": check, **meter.report()}
            if submits:
                print(
                    f"Registration submits: {submits['rps']}/s, p95 {submits['p95_ms']} ms (target 200/s, p95 < 200 ms)"
                )
            if any(r["5xx"] for r in rows):
                failures.append("peak: 5xx answers")
            if not (flow.registered <= created <= flow.registered + flow.unknown):
                failures.append(f"peak: {lost} households lost or duplicated")
            if created == flow.registered and members != flow.members:
                failures.append("peak: member count differs from what was sent")
            sessions = flow.sessions
        if args.scenario in ("all", "rush", "rush-allocate", "ceiling") and len(sessions) < 300:
            print("\n== making 300 signed-in applicants with households for the rush")
            extra = argparse.Namespace(**{**vars(args), "think": 0, "status_checks": 0})
            _, flow = asyncio.run(_make_sessions(extra, 300, place, port, run + "s"))
            sessions += flow.sessions
        if args.scenario in ("all", "rush"):
            print(f"\n== morning rush: GET /household, {args.connections} connections, {args.duration} s")
            rush = run_wrk(args, "rush", "GET /household (wrk)", sessions, "/household", workdir, meter_groups)
            results["scenarios"]["rush"] = rush
            if rush["rows"][0]["5xx"] or rush["rows"][0]["errors"]:
                failures.append("rush: 5xx or socket errors")
        if args.scenario == "ceiling":
            visitors = (("GET /healthz, anonymous (wrk)", [{}]), ("GET /healthz, signed in (wrk)", sessions))
            for label, cookies in visitors:
                print(f"\n== ceiling: {label}, {args.connections} connections, {args.duration} s")
                ceiling = run_wrk(args, "ceiling", label, cookies, "/healthz", workdir, meter_groups)
                results["scenarios"][label] = ceiling
        if args.scenario in ("all", "rush-allocate"):
            failures += rush_with_allocate(args, sessions, source, env, url, workdir, results, meter_groups)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    errors_in_log = [line for line in log.read_text().splitlines() if "Traceback" in line or "ERROR" in line]
    if errors_in_log:
        failures.append(f"{len(errors_in_log)} errors in the gunicorn log ({log})")
    results["failures"] = failures
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    print("\nFAILED: " + "; ".join(failures) if failures else "\nOK: no 5xx, no lost or duplicated households")
    if not failures:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failures else 0


def install_wrk() -> None:
    """wrk is a Debian package; as root (CI, this machine) the script installs it, else says how."""
    if os.geteuid() != 0:
        raise SystemExit("wrk is needed: sudo apt-get install -y wrk")
    print("Installing wrk (apt-get install -y wrk)")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)


async def _make_sessions(args, count: int, place: int, port: int, run: str):
    """Applicants with households, made as fast as 20 users can, until there are `count` of them."""
    codes = Codes()
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(lambda: codes, local_addr=("127.0.0.1", args.codes_port))
    stats = Stats()
    flow = Flow(args, codes, stats, place, port, run)
    counter = iter(range(count * 2))

    async def user(u: int) -> None:
        conn = Connection("127.0.0.1", args.port, args.timeout)
        rng = random.Random(f"{run}-{u}")
        while flow.result.registered < count:
            conn.cookies.clear()
            conn.forwarded_for = next_client_address()
            await flow.one(conn, f"load-{run}-{u}-{next(counter)}@example.org", rng, time.monotonic() + 60)
        await conn.close()

    try:
        await asyncio.gather(*(user(u) for u in range(20)))
    finally:
        transport.close()
    return stats, flow.result


def rush_with_allocate(args, sessions, source, env, url, workdir, results, meter_groups) -> list[str]:
    failures = []
    print(f"\n== morning rush while allocate runs: {args.pool:,} synthetic waiting households")
    manage(source, env, "generate_households", "--count", str(args.pool), "--seed", "8")
    date = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    with CpuMeter(meter_groups) as meter:
        wrk = subprocess.Popen(wrk_command(args, sessions, args.duration, workdir), stdout=subprocess.PIPE, text=True)
        time.sleep(min(5, args.duration / 6))
        started = time.monotonic()
        allocate = manage(source, env, "allocate", "--date", date, "--seed", "load-test", check=False)
        allocate_seconds = time.monotonic() - started
        output, _ = wrk.communicate()
    row = parse_wrk(output)
    print_table("rush during allocate", [row])
    print(f"allocate ({allocate_seconds:.1f} s, exit {allocate.returncode}): {allocate.stdout.splitlines()[:1]}")
    if allocate_seconds > args.duration - 5:
        print("  note: allocate outlasted the rush; raise --duration to cover it")
    verify = manage(source, env, "verify_allocation", "--date", date, check=False)
    print(f"verify_allocation: exit {verify.returncode}: {(verify.stdout or verify.stderr).strip()[:200]}")
    print(f"CPU: {meter.report()}")
    results["scenarios"]["rush-allocate"] = {
        "rows": [row],
        "allocate_seconds": round(allocate_seconds, 1),
        "allocate_exit": allocate.returncode,
        "verify_exit": verify.returncode,
        "verify": (verify.stdout or verify.stderr).strip()[:500],
        **meter.report(),
    }
    if row["5xx"] or row["errors"]:
        failures.append("rush-allocate: 5xx or socket errors")
    if allocate.returncode != 0:
        failures.append(f"allocate failed: {allocate.stderr[-500:]}")
    if verify.returncode != 0:
        failures.append("verify_allocation did not match")
    return failures


if __name__ == "__main__":
    sys.exit(main())
