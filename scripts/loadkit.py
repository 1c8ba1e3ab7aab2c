"""What the load test and the fault drills share: a small HTTP/1.1 client, the table of
latencies, CPU accounting, and a gunicorn serving a clean copy of the code on loopback."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


# --------------------------------------------------------------------------------------------------
# A small HTTP/1.1 keep-alive client on asyncio streams: cheap enough that 200 users fit in one core.


class HTTPError(Exception):
    pass


class Connection:
    def __init__(self, host: str, port: int, timeout: float) -> None:
        self.host, self.port, self.timeout = host, port, timeout
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.last_used = 0.0
        self.cookies: dict[str, str] = {}
        self.forwarded_for = ""  # each applicant is a different phone: the rate limits count per client address

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except (OSError, ConnectionError):
                pass
        self.reader = self.writer = None

    async def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, bytes]:
        # gunicorn closes idle keep-alive connections after --keep-alive seconds: do not reuse a stale one.
        if self.writer is not None and time.monotonic() - self.last_used > 1.5:
            await self.close()
        reused = self.writer is not None
        try:
            return await asyncio.wait_for(self._send(method, path, form), self.timeout)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            await self.close()
            if reused and isinstance(error, (ConnectionResetError, asyncio.IncompleteReadError)):
                # The server closed a kept-alive connection as we reused it: nothing was processed, resend once.
                return await asyncio.wait_for(self._send(method, path, form), self.timeout)
            raise
        except BaseException:
            await self.close()
            raise

    async def _send(self, method: str, path: str, form: dict | None) -> tuple[int, dict, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        body = urlencode(form, doseq=True).encode() if form is not None else b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}", "User-Agent: cita-load-test"]
        if self.forwarded_for:
            lines.append(f"X-Forwarded-For: {self.forwarded_for}")
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readuntil(b"\r\n")
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while True:
            line = await self.reader.readuntil(b"\r\n")
            if line == b"\r\n":
                break
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                if val and "max-age=0" not in value.lower():
                    self.cookies[key] = val
                else:
                    self.cookies.pop(key, None)
            headers[name] = value
        if "content-length" in headers:
            data = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(p[:-2] for p in parts)
        else:
            data = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        self.last_used = time.monotonic()
        return status, headers, data


# --------------------------------------------------------------------------------------------------
# Measurements


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    started: float = field(default_factory=time.monotonic)
    finished: float = 0.0

    def add(self, endpoint: str, status: int | str, seconds: float) -> None:
        self.statuses[endpoint][status] += 1
        if isinstance(status, int):
            self.latencies[endpoint].append(seconds)

    def rows(self) -> list[dict]:
        elapsed = (self.finished or time.monotonic()) - self.started
        rows = []
        for endpoint in sorted(self.statuses, key=ENDPOINT_ORDER.index):
            values = sorted(self.latencies[endpoint])
            counts = self.statuses[endpoint]
            rows.append(
                {
                    "endpoint": endpoint,
                    "requests": sum(counts.values()),
                    "rps": round(sum(counts.values()) / elapsed, 1),
                    "p50_ms": percentile(values, 50),
                    "p95_ms": percentile(values, 95),
                    "p99_ms": percentile(values, 99),
                    "5xx": sum(n for s, n in counts.items() if isinstance(s, int) and s >= 500),
                    "errors": sum(n for s, n in counts.items() if not isinstance(s, int)),
                    "statuses": {str(k): v for k, v in sorted(counts.items(), key=str)},
                }
            )
        return rows


ENDPOINT_ORDER = [
    "GET /signin",
    "POST /signin",
    "POST /signin/code",
    "POST /recovery-codes",
    "GET /household/new",
    "POST /household/new",
    "GET /household",
    "GET /household (wrk)",
]


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    index = min(len(values) - 1, max(0, round(p / 100 * len(values) + 0.5) - 1))
    return round(values[index] * 1000, 1)


def print_table(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    columns = f"{'requests':>9}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'5xx':>6}{'errors':>8}"
    print(f"{'endpoint':<24}{columns}  statuses")
    for r in rows:
        print(
            f"{r['endpoint']:<24}{r['requests']:>9}{r['rps']:>8}{fmt(r['p50_ms'])}{fmt(r['p95_ms'])}{fmt(r['p99_ms'])}"
            f"{r['5xx']:>6}{r['errors']:>8}  {r['statuses']}"
        )


def fmt(value: float | None) -> str:
    return f"{value:>9}" if value is not None else f"{'-':>9}"


# --------------------------------------------------------------------------------------------------
# CPU accounting: the client, the server and the database share the same 2 cores.


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # Own time and that of children it has reaped: a recycled gunicorn worker's or a closed
            # PostgreSQL backend's CPU stays counted (in its parent) after it is gone.
            total += sum(int(value) for value in fields[11:15]) / tick
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


def children_of(pid: int) -> list[int]:
    found = [pid]
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            found.append(int(stat.parent.name))
    return found


def machine_busy() -> tuple[float, float]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class CpuMeter:
    """CPU seconds used by each group of processes during a scenario, and by the whole machine."""

    def __init__(self, groups: dict[str, callable]) -> None:
        self.groups = groups

    def __enter__(self) -> "CpuMeter":
        self.pids = {name: pids() for name, pids in self.groups.items()}
        self.before = {name: cpu_seconds(p) for name, p in self.pids.items()}
        self.busy0, self.total0 = machine_busy()
        self.t0 = time.monotonic()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.monotonic() - self.t0
        after = {name: cpu_seconds(pids()) for name, pids in self.groups.items()}
        self.used = {name: after[name] - self.before[name] for name in self.groups}
        busy1, total1 = machine_busy()
        self.machine = (busy1 - self.busy0) / max(1, total1 - self.total0)

    def report(self) -> dict:
        cores = os.cpu_count() or 1
        shares = {name: round(used / self.wall / cores * 100, 1) for name, used in self.used.items()}
        return {"cpu_percent_of_machine": shares, "machine_busy_percent": round(self.machine * 100, 1)}


# --------------------------------------------------------------------------------------------------
# The server under test


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_source(kind: str, workdir: Path) -> Path:
    if kind == "worktree":
        return ROOT
    source = workdir / "src"
    source.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "HEAD"], check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
    return source


def server_env(args, source: Path) -> dict:
    env = dict(os.environ)
    env.update(
        {
            # Every virtual applicant comes from 127.0.0.1; like a TLS proxy, the client says whose phone it is,
            # so the per-client rate limits apply (and cost) as they would in production.
            "BEHIND_TLS_PROXY": "true",
            "DEBUG": "false",
            "SECURE_COOKIES": "false",
            "ALLOWED_HOSTS": "127.0.0.1",
            "LOG_LEVEL": "WARNING",
            "MESSAGE_BACKEND": "load_test.LoadTestBackend",
            "LOAD_TEST_CODES_UDP": f"127.0.0.1:{args.codes_port}",
            "PYTHONPATH": f"{source}:{ROOT / 'scripts'}",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(source: Path, env: dict, *command: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a management command in source; on failure its output is printed, not swallowed."""
    check = kwargs.pop("check", True)
    command_line = [PYTHON, "manage.py", *command]
    done = subprocess.run(command_line, cwd=source, env=env, capture_output=True, text=True, **kwargs)
    if check and done.returncode != 0:
        print(done.stdout, done.stderr, sep="\n", file=sys.stderr)
        done.check_returncode()
    return done


def build_served_files(source: Path, env: dict) -> None:
    """Compiled catalogues and collected static files for the served copy, one script at a time:
    scripts run side by side on one checkout (the test command's smoke run) would otherwise write
    the same .mo files and static manifest at once, and one of them fails. scripts/test.sh builds
    them before any stage starts (CITA_SERVED_FILES_BUILT): rewriting the manifest then would take it
    away for a moment from the servers of the stages running beside the scripts."""
    if source == ROOT and os.environ.get("CITA_SERVED_FILES_BUILT"):
        return
    lock = Path(tempfile.gettempdir()) / f"cita-served-{hashlib.sha256(str(source).encode()).hexdigest()[:16]}.lock"
    with lock.open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        manage(source, env, "compilemessages", "--ignore=.venv", "-v", "0", check=False)
        manage(source, env, "collectstatic", "--noinput", "-v", "0")


def start_gunicorn(
    args, source: Path, env: dict, log: Path, app: str = "config.wsgi:application", probe: str = "/healthz"
) -> subprocess.Popen:
    command = [
        PYTHON,
        "-m",
        "gunicorn",
        app,
        "--bind",
        f"127.0.0.1:{args.port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--keep-alive",
        "5",
        "--backlog",
        "2048",
        "--timeout",
        "60",
        "--preload",  # as docs/deployment.md runs it: workers fork from a master that imported the app once
    ]
    if args.access_log:  # docs/deployment.md runs gunicorn with no access log: a line costs about 80 us of CPU
        command += ["--access-logfile", "-"]
    if args.worker_class == "gthread":
        command += ["--threads", str(args.threads)]
    if getattr(args, "max_requests", 0):  # as docs/deployment.md runs it
        command += ["--max-requests", str(args.max_requests), "--max-requests-jitter", str(args.max_requests // 10)]
    server = subprocess.Popen(
        command, cwd=source, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
    )
    for _ in range(200):
        try:
            with socket.create_connection(("127.0.0.1", args.port), timeout=1) as sock:
                sock.sendall(f"GET {probe} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                if b" 200 " in sock.recv(100):
                    return server
        except OSError:
            pass
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited: see {log}\n{log.read_text()[-3000:]}")
        time.sleep(0.1)
    raise SystemExit(f"gunicorn did not answer {probe} in 20 s")


def postgres_pids() -> list[int]:
    data = os.environ.get("PGDATA_TEST")
    if not data:
        return []
    try:
        postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError):
        return []
    return children_of(postmaster)


def db_counts(url: str) -> dict:
    import psycopg

    with psycopg.connect(url) as conn:
        return {
            "households": conn.execute("SELECT count(*) FROM registrations_household").fetchone()[0],
            "members": conn.execute("SELECT count(*) FROM registrations_member").fetchone()[0],
            "applicants": conn.execute("SELECT count(*) FROM registrations_applicant").fetchone()[0],
        }


def lookup(url: str) -> tuple[int, int]:
    import psycopg

    with psycopg.connect(url) as conn:
        place = conn.execute("SELECT id FROM registrations_place WHERE name = 'Matamoros' ORDER BY id").fetchone()[0]
        port = conn.execute("SELECT id FROM allocation_port WHERE code = 'brownsville'").fetchone()[0]
    return place, port
