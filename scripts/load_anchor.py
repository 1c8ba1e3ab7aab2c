"""The anchor scenario of scripts/load_test.py: Cita's busiest pages as ratios to what Django itself
serves on the same machine in the same run (issue 18).

The machine is shared, so absolute figures move with the neighbours; the ratio to the anchor, measured
minutes apart in one run, is the figure to compare. Pages, in order, each for --duration seconds:

  anchor            a default Django project (scripts/anchor_site) returning 1 KB, no database,
                    on its own gunicorn so production has no such route; 256 connections
  anchor + 1 row    the same view reading one row through the ORM
  home              GET / anonymous, Cita's gunicorn; 256 connections
  public page       GET /how-it-works anonymous
  registration      POST /household/new, a household of 4, a fresh resend key and new people each time,
                    each submit from its own signed-in applicant; 64 connections. Then the database must
                    hold exactly one household of 4 for each submit answered "registered".
  status page       GET /household signed in (households registered just before); 256 connections

Both gunicorns run as docs/deployment.md says: (2 x cores) + 1 sync workers, --max-requests 5000.
Server CPU per request counts gunicorn (workers that were recycled included) and, apart, PostgreSQL.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

from loadkit import PYTHON, ROOT, CpuMeter, children_of, postgres_pids, start_gunicorn

TARGETS = {  # ratio to the anchor, p99 ms, errors allowed
    "home": (0.60, None),
    "public page": (0.60, None),
    "status page": (0.30, 500),
    "registration": (0.10, 1000),
}

WRK_LUA = r"""
local cookies = {COOKIES}
local path, method, csrf, run = "{PATH}", "{METHOD}", "{CSRF}", "{RUN}"
local place, port = "{PLACE}", "{PORT}"
local counter, spare = 0, false
expected, unexpected = 0, 0  -- globals: done() reads them from each thread
local done_after = {LIMIT}
local threads = {}
function setup(thread) table.insert(threads, thread) end

local function letters(n)
  local out = ""
  for _ = 1, 8 do out = out .. string.char(97 + n % 26); n = math.floor(n / 26) end
  return out:sub(1, 1):upper() .. out:sub(2)
end

local relations = {"head", "partner", "child", "child"}
local function household(n)
  local family = "Ancla+" .. letters(n)
  local parts = {"idempotency_key=" .. run .. "-" .. n, "current_place=" .. place, "preferred_port=" .. port,
    "contact_phone=", "contact_email=", "language=es", "members-TOTAL_FORMS=4", "members-INITIAL_FORMS=0",
    "members-MIN_NUM_FORMS=1", "members-MAX_NUM_FORMS=20", "csrfmiddlewaretoken=" .. csrf}
  for i = 0, 3 do
    local p = "members-" .. i .. "-"
    local year = 1950 + (n * 7 + i * 13) % 70
    table.insert(parts, p .. "given_names=Persona+" .. letters(i * 31 + 5))
    table.insert(parts, p .. "family_names=" .. family)
    table.insert(parts, p .. string.format("date_of_birth=%d-%02d-%02d", year, 1 + i * 3, 1 + n % 28))
    table.insert(parts, p .. "nationality=VE")
    table.insert(parts, p .. "sex=" .. ({"F", "M", "X", "F"})[i + 1])
    table.insert(parts, p .. "relationship=" .. relations[i + 1])
    table.insert(parts, p .. "languages=Espa%C3%B1ol")
    table.insert(parts, p .. "needs=")
  end
  return table.concat(parts, "&")
end

function request()
  counter = counter + 1
  if done_after > 0 and counter > done_after then
    spare = true
    return wrk.format("GET", "/healthz")
  end
  local headers = {}
  if #cookies > 0 then headers["Cookie"] = cookies[(counter - 1) % #cookies + 1] end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, household(counter))
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  if spare then wrk.thread:stop() return end
  local ok
  if method == "POST" then ok = status == 302 and headers["Location"] == "/household/registered"
  else ok = status == 200 end
  if ok then expected = expected + 1 else unexpected = unexpected + 1 end
  if done_after > 0 and expected + unexpected >= done_after then wrk.thread:stop() end
end

function done(summary, latency, requests)
  local ok, bad = 0, 0
  for _, t in ipairs(threads) do ok = ok + t:get("expected"); bad = bad + t:get("unexpected") end
  local e = summary.errors
  io.write(string.format('WRKJSON {"ok": %d, "unexpected": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "socket_errors": %d}\n', ok, bad, summary.duration, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), e.connect + e.read + e.write + e.timeout))
end
"""


def wrk(args, label: str, path: str, workdir: Path, meter_groups, *, cookies=(), connections=256, post=None) -> dict:
    """One page under wrk for --duration seconds: its row (latencies, errors, CPU per request)."""
    lua = WRK_LUA.replace("{COOKIES}", "{" + ", ".join(f'"{c}"' for c in cookies) + "}")
    post = post or {}
    for name, value in {
        "PATH": path,
        "METHOD": "POST" if post else "GET",
        "CSRF": post.get("csrf", ""),
        "RUN": post.get("run", ""),
        "PLACE": str(post.get("place", "")),
        "PORT": str(post.get("port", "")),
        "LIMIT": str(len(cookies) if post else 0),
    }.items():
        lua = lua.replace("{" + name + "}", value.replace('"', ""))
    script = workdir / f"{label.replace(' ', '-')}.lua"
    script.write_text(lua)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{args.duration}s", "--timeout", "10s", "-s", str(script)]
    with CpuMeter(meter_groups) as meter:
        output = subprocess.run([*command, f"http://127.0.0.1:{args.port}{path}"], capture_output=True, text=True)
    line = next((x for x in output.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures for {label}:\n{output.stdout}\n{output.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    seconds = data["duration_us"] / 1e6
    served = data["ok"] + data["unexpected"]
    return {
        "page": label,
        "connections": connections,
        "requests": served,
        "ok": data["ok"],
        "rps": round(data["ok"] / seconds, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "errors": data["unexpected"] + data["socket_errors"],
        "server_cpu_ms": round(meter.used["server"] / max(1, served) * 1000, 2),
        "db_cpu_ms": round(meter.used["database"] / max(1, served) * 1000, 2),
        "machine_busy_percent": round(meter.machine * 100, 1),
    }


def make_applicants(source: Path, env: dict, count: int, run: str) -> list[tuple[int, str]]:
    """Signed-in applicants with no household yet: (applicant id, session key)."""
    made = subprocess.run(
        [PYTHON, str(ROOT / "scripts" / "load_applicants.py"), str(count), run],
        cwd=source,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        capture_output=True,
        text=True,
    )
    return [tuple(pair) for pair in json.loads(made.stdout)]


def registered(url: str, applicant_ids: list[int]) -> dict:
    """What the database holds for these applicants after the registration run."""
    import psycopg

    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT h.applicant_id, h.size, (SELECT count(*) FROM registrations_member m WHERE m.household_id = h.id)"
            " FROM registrations_household h WHERE h.applicant_id = ANY(%s)",
            [applicant_ids],
        ).fetchall()
    return {
        "households": len(rows),
        "with_4_members": sum(1 for _, size, members in rows if size == 4 and members == 4),
        "applicants": [applicant for applicant, _, _ in rows],
    }


def stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def run(args, source: Path, env: dict, url: str, workdir: Path, place: int, port: int) -> list[str]:
    """Runs every page and prints one line each, then the verdict; returns what fell short."""
    started = time.monotonic()
    tag = time.strftime("%H%M%S")
    applicants = make_applicants(source, env, args.applicants, tag)
    print(
        f"{len(applicants):,} signed-in applicants made for the registration run ({time.monotonic() - started:.0f} s)"
    )
    rows: list[dict] = []
    server: subprocess.Popen | None = None

    def meter_groups() -> dict:
        assert server is not None
        pid = server.pid
        return {"server": lambda: children_of(pid), "database": postgres_pids}

    try:
        anchor_env = {**env, "DJANGO_SETTINGS_MODULE": "anchor_site.settings"}
        server = start_gunicorn(
            args, source, anchor_env, workdir / "anchor.log", app="anchor_site.wsgi:application", probe="/anchor"
        )
        rows.append(wrk(args, "anchor", "/anchor", workdir, meter_groups()))
        rows.append(wrk(args, "anchor + 1 row", "/anchor/row", workdir, meter_groups()))
        stop(server)
        server = start_gunicorn(args, source, env, workdir / "gunicorn.log")
        rows.append(wrk(args, "home", "/", workdir, meter_groups()))
        rows.append(wrk(args, "public page", "/how-it-works", workdir, meter_groups()))
        csrf = os.urandom(16).hex()
        cookies = [f"sessionid={key}; csrftoken={csrf}" for _, key in applicants]
        post = {"csrf": csrf, "run": tag, "place": place, "port": port}
        rows.append(
            wrk(
                args,
                "registration",
                "/household/new",
                workdir,
                meter_groups(),
                cookies=cookies,
                connections=64,
                post=post,
            )
        )
        stored = registered(url, [pk for pk, _ in applicants])
        with_household = set(stored["applicants"])
        signed_in = [f"sessionid={key}" for pk, key in applicants if pk in with_household][:1000]
        rows.append(wrk(args, "status page", "/household", workdir, meter_groups(), cookies=signed_in or ["x=1"]))
    finally:
        if server is not None and server.poll() is None:
            stop(server)
    anchor, anchor_cpu = rows[0]["rps"] or 1, rows[0]["server_cpu_ms"] + rows[0]["db_cpu_ms"]
    print(
        f"\nOne run, {args.duration} s a page, {args.workers} sync workers each. Figures are only comparable as ratios "
        "to the anchor of the same run (the machine is shared); CPU per request is server (gunicorn) + database; "
        "'CPU x' is the anchor's CPU per request over the page's (less moved by neighbours than req/s)."
    )
    for row in rows:
        row["ratio"] = round(row["rps"] / anchor, 3)
        row["cpu_ratio"] = round(anchor_cpu / max(0.001, row["server_cpu_ms"] + row["db_cpu_ms"]), 3)
        print(
            f"{row['page']:<15} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms"
            f"  p99 {row['p99_ms']:>6} ms  errors {row['errors']:>4}  CPU {row['server_cpu_ms']:.2f} + "
            f"{row['db_cpu_ms']:.2f} ms/req  {row['ratio']:.3f} x anchor  (CPU x {row['cpu_ratio']:.3f};"
            f" {row['connections']} conn., machine {row['machine_busy_percent']:.0f} % busy)"
        )
    failures = shortfalls(rows)
    reg = next(r for r in rows if r["page"] == "registration")
    # wrk stops with up to one submit per connection still being saved: stored, but no answer read.
    cut_off = stored["households"] - reg["ok"]
    print(
        f"registration check: {reg['ok']} submits answered registered, {stored['households']} households stored for"
        f" these applicants ({max(cut_off, 0)} still in flight when wrk stopped), {stored['with_4_members']} of them"
        " with exactly 4 people"
    )
    if not (0 <= cut_off <= reg["connections"] and stored["households"] == stored["with_4_members"]):
        failures.append("registration: households stored do not match the submits answered (exactly once, 4 people)")
    if reg["requests"] >= len(applicants):
        print("  note: every prepared applicant registered before the time was up; raise --applicants")
    print(f"(whole scenario: {time.monotonic() - started:.0f} s)")
    args.anchor_rows = rows
    print("targets met" if not failures else "targets not met: " + "; ".join(failures))
    return failures


def shortfalls(rows: list[dict]) -> list[str]:
    found = []
    for row in rows:
        if row["page"] not in TARGETS:
            continue
        ratio, p99 = TARGETS[row["page"]]
        if row["ratio"] < ratio:
            found.append(f"{row['page']} {row['ratio']:.3f} x anchor (target {ratio:.2f})")
        if p99 is not None and row["p99_ms"] > p99:
            found.append(f"{row['page']} p99 {row['p99_ms']:.0f} ms (target {p99})")
        if p99 is not None and row["errors"]:
            found.append(f"{row['page']} {row['errors']} errors")
    return found
