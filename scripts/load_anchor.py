"""The anchor scenario of scripts/load_test.py: Cita's busiest pages as ratios to what Django itself
serves on the same machine in the same run (issue 18).

The machine is shared, so absolute figures move with the neighbours, within minutes; the ratio to the
anchor is the figure to compare. So the run is --rounds rounds (default 4) of every page in turn, each for
--duration / --rounds seconds (default 5 s; 20 s a page in all), and each page's ratio is the median over
rounds of its rate over the anchor's rate in the same round. Pages, in the order of a round:

  anchor            a default Django project (scripts/anchor_site) returning 1 KB, no database,
                    on its own gunicorn so production has no such route; 256 connections
  anchor + 1 row    the same view reading one row through the ORM
  home              GET / anonymous, Cita's gunicorn; 256 connections
  public page       GET /how-it-works anonymous
  registration      POST /household/new, a household of 4, a fresh resend key and new people each time,
                    each submit from its own signed-in applicant; 64 connections. Then the database must
                    hold exactly one household of 4 for each submit answered "registered".
  first status view GET /household for a household never viewed (those registered in the same round, each
                    once): the page is rendered and its copy kept, as for a family's first view after a
                    draw; 256 connections. Measured for what it costs; the issue sets no target for it.
  status page       GET /household signed in, shown from its kept copy: the households registered and
                    viewed once in the warm-up round, the same ones every round; 256 connections

Every request asks for gzip, as a phone's browser does (the anchor has no compression; Cita compresses its
pages, and sends the status page's kept copy compressed as it was kept); signed-in views carry the session
and the form-token cookie the phone holds.

--pages runs the anchor and only the pages named (e.g. --pages registration), to measure one page quickly.

Both gunicorns run as docs/deployment.md says: (2 x cores) + 1 sync workers, --preload, --max-requests 5000.
Server CPU per request counts gunicorn (workers that were recycled included) and, apart, PostgreSQL.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from loadkit import PYTHON, ROOT, CpuMeter, children_of, free_port, postgres_pids, start_gunicorn

# Each round, after the anchor. The first status view needs the registrations of its round.
PAGES = ["anchor + 1 row", "home", "public page", "registration", "first status view", "status page"]
TARGETS = {  # ratio to the anchor, p99 ms, errors allowed
    "home": (0.60, None),
    "public page": (0.60, None),
    "status page": (0.30, 500),
    "registration": (0.10, 1000),
}

WRK_LUA = r"""
local cookies = {COOKIES}
local path, method, csrf, run = "{PATH}", "{METHOD}", "{CSRF}", "{RUN}"
local place, port, offset = "{PLACE}", "{PORT}", {OFFSET}
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
  local headers = {["Accept-Encoding"] = "gzip, deflate"}  -- as every phone's browser sends it
  if #cookies > 0 then headers["Cookie"] = cookies[(counter - 1) % #cookies + 1] end
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    return wrk.format("POST", path, headers, household(offset + counter))
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


def wrk(
    target, label: str, path: str, workdir: Path, seconds: float, *, cookies=(), connections=256, post=None, once=False
) -> dict:
    """One page under wrk for some seconds: its row (latencies, errors, CPU per request).
    target: (port, CPU meter groups) of the gunicorn serving it. A POST, or a GET `once`, sends each cookie
    once at most (each submit its own applicant; each first view its own household)."""
    port, meter_groups = target
    lua = WRK_LUA.replace("{COOKIES}", "{" + ", ".join(f'"{c}"' for c in cookies) + "}")
    post = post or {}
    for name, value in {
        "PATH": path,
        "METHOD": "POST" if post else "GET",
        "CSRF": post.get("csrf", ""),
        "RUN": post.get("run", ""),
        "PLACE": str(post.get("place", "")),
        "PORT": str(post.get("port", "")),
        "LIMIT": str(len(cookies) if post or once else 0),
        "OFFSET": str(post.get("offset", 0)),
    }.items():
        lua = lua.replace("{" + name + "}", value.replace('"', ""))
    script = workdir / f"{label.replace(' ', '-')}.lua"
    script.write_text(lua)
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s", "-s", str(script)]
    drain(meter_groups)
    with CpuMeter(meter_groups) as meter:
        output = subprocess.run([*command, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True)
    line = next((x for x in output.stdout.splitlines() if x.startswith("WRKJSON ")), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures for {label}:\n{output.stdout}\n{output.stderr}")
    data = json.loads(line.removeprefix("WRKJSON "))
    elapsed = data["duration_us"] / 1e6
    served = data["ok"] + data["unexpected"]
    return {
        "page": label,
        "connections": connections,
        "seconds": elapsed,
        "requests": served,
        "ok": data["ok"],
        "rps": round(data["ok"] / elapsed, 1),
        "p50_ms": round(data["p50_us"] / 1000, 1),
        "p95_ms": round(data["p95_us"] / 1000, 1),
        "p99_ms": round(data["p99_us"] / 1000, 1),
        "errors": data["unexpected"] + data["socket_errors"],
        "server_cpu": meter.used["server"],
        "db_cpu": meter.used["database"],
        "server_cpu_ms": round(meter.used["server"] / max(1, served) * 1000, 2),
        "db_cpu_ms": round(meter.used["database"] / max(1, served) * 1000, 2),
        "machine_busy_percent": round(meter.machine * 100, 1),
    }


def view_each_once(port: int, cookies: list[str], path: str = "/household") -> None:
    """GET the page once with each cookie, 8 at a time, each answer read in full."""

    def view(cookie: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path, headers={"Cookie": cookie, "Accept-Encoding": "gzip, deflate"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(view, cookies))
    if any(status != 200 for status in statuses):
        raise SystemExit(f"{path}: answers other than 200 in the warm-up: {sorted(set(statuses))}")


def drain(meter_groups: dict, limit: float = 30.0) -> None:
    """Wait until the server has answered what the last page left queued (wrk stops, the queue stays):
    its workers under a tenth of a core for 0.3 s. Else a page would be measured behind another's backlog."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        with CpuMeter(meter_groups) as meter:
            time.sleep(0.3)
        if meter.used["server"] < 0.03:
            return


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
    """Runs every page (or the anchor and --pages) and prints one line each, then the verdict; returns what
    fell short."""
    wanted = set(args.pages or PAGES)
    if wanted - set(PAGES):
        raise SystemExit(f"--pages: no page {', '.join(sorted(wanted - set(PAGES)))}; the pages are {', '.join(PAGES)}")
    if "first status view" in wanted:
        wanted.add("registration")  # its households are the round's registrations
    started = time.monotonic()
    tag = time.strftime("%H%M%S")
    applicants = make_applicants(source, env, args.applicants, tag)
    print(
        f"{len(applicants):,} signed-in applicants made for the registration run ({time.monotonic() - started:.0f} s)"
    )
    servers: list[subprocess.Popen] = []
    rounds: list[dict[str, dict]] = []
    slice_seconds = max(3.0, args.duration / args.rounds)
    chunk = len(applicants) // (args.rounds + 1)  # a share for each round and for the warm-up
    csrf = os.urandom(16).hex()
    answered = 0  # submits answered "registered", the warm-up's too
    try:
        anchor_env = {**env, "DJANGO_SETTINGS_MODULE": "anchor_site.settings"}
        anchor_args = argparse.Namespace(**{**vars(args), "port": free_port()})
        servers.append(
            start_gunicorn(
                anchor_args,
                source,
                anchor_env,
                workdir / "anchor.log",
                app="anchor_site.wsgi:application",
                probe="/anchor",
            )
        )
        servers.append(start_gunicorn(args, source, env, workdir / "gunicorn.log"))
        bare, cita = ((a.port, groups(s.pid)) for a, s in ((anchor_args, servers[0]), (args, servers[1])))

        def with_household(chosen: list[tuple[int, str]]) -> list[str]:
            stored = set(registered(url, [pk for pk, _ in chosen])["applicants"])
            # As a phone sends them: the session, and the form-token cookie its registration carried.
            return [f"sessionid={key}; csrftoken={csrf}" for pk, key in chosen if pk in stored]

        # The status page's households: registered in round 0 and each viewed once there, so that every
        # counted round shows the same thing, pages from their kept copies (first views are measured apart).
        kept: list[str] = []
        # Round 0 warms up every worker (templates, per-process caches, connections) and is not counted.
        for r in range(args.rounds + 1):
            mine = applicants[r * chunk : (r + 1) * chunk]
            post = {"csrf": csrf, "run": tag, "place": place, "port": port, "offset": r * chunk}
            found = {}
            seconds = slice_seconds if r else 2
            pages = {
                "anchor + 1 row": lambda: wrk(bare, "anchor + 1 row", "/anchor/row", workdir, seconds),
                "home": lambda: wrk(cita, "home", "/", workdir, seconds),
                "public page": lambda: wrk(cita, "public page", "/how-it-works", workdir, seconds),
                "registration": lambda: wrk(
                    cita,
                    "registration",
                    "/household/new",
                    workdir,
                    seconds,
                    cookies=[f"sessionid={key}; csrftoken={csrf}" for _, key in mine],
                    connections=64,
                    post=post,
                ),
                "first status view": lambda: wrk(
                    cita, "first status view", "/household", workdir, seconds, cookies=with_household(mine), once=True
                ),
                "status page": lambda: wrk(cita, "status page", "/household", workdir, seconds, cookies=kept or ["x"]),
            }
            found["anchor"] = wrk(bare, "anchor", "/anchor", workdir, seconds)
            for page, measure in pages.items():
                # Without the pages before it, round 0 still registers the status page's households.
                warm_up = not r and page in ("registration", "first status view") and "status page" in wanted
                if not (page in wanted or warm_up):
                    continue
                if not r and page == "first status view":
                    kept = with_household(mine)[:1000]
                    view_each_once(args.port, kept)  # each one's page rendered and kept before the rounds
                    continue
                found[page] = measure()
            print(f"round {r} of {args.rounds}: " + ", ".join(f"{k} {v['rps']:.0f}/s" for k, v in found.items()))
            answered += found["registration"]["ok"] if "registration" in found else 0
            if r:
                rounds.append(found)
    finally:
        for server in servers:
            if server.poll() is None:
                stop(server)
    stored = registered(url, [pk for pk, _ in applicants])
    rows = [merged([found[page] for found in rounds], [found["anchor"] for found in rounds]) for page in rounds[0]]
    print(
        f"\nOne run: {args.rounds} rounds of {slice_seconds:.0f} s a page, each round every page in turn, "
        f"{args.workers} sync workers per gunicorn. The machine is shared: figures compare only as ratios to the "
        "anchor of the same round (the median over rounds is shown); p50/p95/p99 are the rounds' medians; CPU per "
        "request is server (gunicorn) + database; 'CPU x' is the anchor's CPU per request over the page's."
    )
    for row in rows:
        print(
            f"{row['page']:<15} {row['rps']:>8.1f} req/s  p50 {row['p50_ms']:>6} ms  p95 {row['p95_ms']:>6} ms"
            f"  p99 {row['p99_ms']:>6} ms  errors {row['errors']:>4}  CPU {row['server_cpu_ms']:.2f} + "
            f"{row['db_cpu_ms']:.2f} ms/req  {row['ratio']:.3f} x anchor  (CPU x {row['cpu_ratio']:.3f};"
            f" {row['connections']} conn., machine {row['machine_busy_percent']:.0f} % busy)"
        )
    failures = shortfalls(rows)
    reg = next((r for r in rows if r["page"] == "registration"), None)
    if reg is not None:
        # wrk stops with up to one submit per connection still being saved (each round): stored, no answer read.
        cut_off = stored["households"] - answered
        print(
            f"registration check: {answered} submits answered registered (warm-up included), {stored['households']}"
            f" households stored for these applicants ({max(cut_off, 0)} still in flight when wrk stopped),"
            f" {stored['with_4_members']} of them with exactly 4 people"
        )
        limit = reg["connections"] * (args.rounds + 1)
        if not (0 <= cut_off <= limit and stored["households"] == stored["with_4_members"]):
            failures.append(
                "registration: households stored do not match the submits answered (exactly once, 4 people)"
            )
        if any(r["requests"] >= chunk for r in reg["rounds"]):
            print("  note: a round used every applicant prepared for it before its time was up; raise --applicants")
    print(f"(whole scenario: {time.monotonic() - started:.0f} s)")
    args.anchor_rows = rows
    print("targets met" if not failures else "targets not met: " + "; ".join(failures))
    return failures


def merged(slices: list[dict], anchors: list[dict]) -> dict:
    """One page over all rounds: totals, the rounds' median latencies, the median ratio to each round's anchor."""
    total = {k: sum(s[k] for s in slices) for k in ("seconds", "requests", "ok", "errors", "server_cpu", "db_cpu")}
    served = max(1, total["requests"])

    def cpu_per_request(row: dict) -> float:
        return (row["server_cpu"] + row["db_cpu"]) / max(1, row["requests"])

    return {
        "page": slices[0]["page"],
        "connections": slices[0]["connections"],
        **total,
        "rps": round(total["ok"] / total["seconds"], 1),
        **{k: round(statistics.median(s[k] for s in slices)) for k in ("p50_ms", "p95_ms", "p99_ms")},
        "server_cpu_ms": round(total["server_cpu"] / served * 1000, 2),
        "db_cpu_ms": round(total["db_cpu"] / served * 1000, 2),
        "machine_busy_percent": statistics.mean(s["machine_busy_percent"] for s in slices),
        "ratio": round(statistics.median(s["rps"] / max(0.1, a["rps"]) for s, a in zip(slices, anchors)), 3),
        "cpu_ratio": round(
            statistics.median(cpu_per_request(a) / max(1e-6, cpu_per_request(s)) for s, a in zip(slices, anchors)), 3
        ),
        "rounds": [{k: s[k] for k in ("rps", "p99_ms", "errors", "requests")} for s in slices],
    }


def groups(pid: int) -> dict:
    return {"server": lambda: children_of(pid), "database": postgres_pids}


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
