"""Page budgets: every applicant and public page, measured in headless Chromium on Regular 2G.

Starts Cita under gunicorn on a free loopback port (DEBUG off, a fresh SQLite database in a
temporary folder, static files collected), signs in and registers a household as a person would,
and measures each page twice through the DevTools protocol: first visit (empty cache) and repeat
visit (same phone, cache warm). Bytes are the compressed bodies that crossed the network
(Network.loadingFinished encodedDataLength less the response headers, which are shown apart:
over HTTP/2 in production they are compressed and mostly indexed, over HTTP/1.1 here they are
not). Prints a table; exits 1 when a budget is exceeded.

    .venv/bin/python scripts/page_budget.py [--markdown]

The service worker is blocked while measuring, so the repeat visit shows the HTTP cache alone:
the worker can only make it cheaper. Its one-off install cost is printed below the table.
"""

import argparse
import gzip
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT))

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, REGULAR_2G  # noqa: E402
from tests.browser.pages import SIGNED_IN_PATHS, public_paths  # noqa: E402

KB = 1024
BUDGET = {
    "first": 25 * KB,  # everything on a first visit, htmx included
    "html": 14 * KB,  # the document alone: it fits the first round trips
    "repeat": 4 * KB,  # static files cached under hashed names; the household form alone is ~3.9 KB
    "blocking": 1,  # the one small stylesheet
    "usable_first": 3000,  # ms on Regular 2G
    "usable_repeat": 1500,
}
PHONE = "+528681234567"


@dataclass
class Visit:
    requests: int
    bytes: int  # compressed bodies: what the budgets count
    html: int
    headers: int  # HTTP/1.1 response headers, shown apart (HTTP/2 in production compresses them)
    blocking: int
    usable_ms: float


@dataclass
class Row:
    page: str
    first: Visit
    repeat: Visit

    def failures(self) -> list[str]:
        found = []
        if self.first.bytes > BUDGET["first"]:
            found.append(f"{self.page}: first visit {self.first.bytes} B > {BUDGET['first']} B")
        if self.first.html > BUDGET["html"]:
            found.append(f"{self.page}: HTML {self.first.html} B > {BUDGET['html']} B")
        if self.repeat.bytes > BUDGET["repeat"]:
            found.append(f"{self.page}: repeat visit {self.repeat.bytes} B > {BUDGET['repeat']} B")
        if self.first.blocking > BUDGET["blocking"]:
            found.append(f"{self.page}: {self.first.blocking} render-blocking requests > {BUDGET['blocking']}")
        if self.first.usable_ms > BUDGET["usable_first"]:
            found.append(f"{self.page}: usable after {self.first.usable_ms:.0f} ms > {BUDGET['usable_first']} ms")
        if self.repeat.usable_ms > BUDGET["usable_repeat"]:
            found.append(
                f"{self.page}: usable again after {self.repeat.usable_ms:.0f} ms > {BUDGET['usable_repeat']} ms"
            )
        return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def app_environment(folder: str, port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DEBUG="false",
        SQLITE_PATH=os.path.join(folder, "budget.sqlite3"),
        SECURE_COOKIES="false",
        SECURE_SSL_REDIRECT="false",
        ALLOWED_HOSTS="127.0.0.1",
        SITE_URL=f"http://127.0.0.1:{port}",
        LOG_LEVEL="ERROR",
    )
    env.pop("DATABASE_URL", None)
    return env


def start_app(env: dict[str, str], port: int) -> subprocess.Popen:
    manage = [PYTHON, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    if not os.environ.get("CITA_SERVED_FILES_BUILT"):  # scripts/test.sh collected them before its stages began
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)
            return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn stopped before it answered")
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 30 s")


def last_code(address: str) -> str:
    import re

    from shared.encryption import blind_index
    from shared.models import OutboundMessage

    body = OutboundMessage.objects.filter(address_index=blind_index("address", address)).latest("created_at").body
    return re.search(r"\b(\d{6})\b", body).group(1)


def measure(page, session, url: str) -> Visit:
    totals: dict[str, int] = {}
    headers: dict[str, int] = {}
    documents: set[str] = set()
    requests: set[str] = set()

    def sent(event):
        if event["request"]["url"].startswith("data:"):
            return  # inline, nothing crosses the network
        requests.add(event["requestId"])
        if event.get("type") == "Document":
            documents.add(event["requestId"])

    def received(event):
        # At this point Chromium has counted the response headers only.
        headers[event["requestId"]] = int(event["response"].get("encodedDataLength", 0))

    def finished(event):
        totals[event["requestId"]] = int(event["encodedDataLength"])

    session.on("Network.requestWillBeSent", sent)
    session.on("Network.responseReceived", received)
    session.on("Network.loadingFinished", finished)
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    timing = page.evaluate(
        """() => {
          const nav = performance.getEntriesByType('navigation')[0];
          const blocking = performance.getEntriesByType('resource').filter(r => r.renderBlockingStatus === 'blocking');
          return {usable: nav.domContentLoadedEventEnd, blocking: blocking.length};
        }"""
    )
    session.remove_listener("Network.requestWillBeSent", sent)
    session.remove_listener("Network.responseReceived", received)
    session.remove_listener("Network.loadingFinished", finished)
    measured = [r for r in requests if r in totals]
    body = {r: max(totals[r] - headers.get(r, 0), 0) for r in measured}
    return Visit(
        requests=len(requests),
        bytes=sum(body.values()),
        html=sum(body.get(r, 0) for r in documents),
        headers=sum(totals[r] for r in measured) - sum(body.values()),
        blocking=timing["blocking"],
        usable_ms=timing["usable"],
    )


def measure_page(browser, storage_state, base: str, path: str, label: str | None = None) -> Row:
    """A phone that never saw Cita's static files (same cookies), then the same phone again."""
    context = browser.new_context(
        storage_state=storage_state, service_workers="block", viewport={"width": 360, "height": 740}
    )
    try:
        page = context.new_page()
        session = context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Network.emulateNetworkConditions", REGULAR_2G)
        first = measure(page, session, base + path)
        repeat = measure(page, session, base + path)
    finally:
        context.close()
    return Row(label or path, first, repeat)


def fill_household(page) -> None:
    from registrations.models import Place
    from shared.models import Port

    page.select_option("#id_current_place", str(Place.objects.get(name="Matamoros").pk))
    page.check(f"input[name=preferred_port][value='{Port.objects.get(code='brownsville').pk}']")
    page.fill("#id_members-0-given_names", "María José")
    page.fill("#id_members-0-family_names", "Pérez Rojas")
    page.fill("#id_members-0-date_of_birth", "1990-04-12")
    page.select_option("#id_members-0-nationality", "VE")
    page.check("input[name='members-0-sex'][value='F']")
    page.select_option("#id_members-0-relationship", "head")


def run(base: str) -> list[Row]:
    from playwright.sync_api import sync_playwright

    from registrations.models import Member

    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for path in public_paths():
                rows.append(measure_page(browser, None, base, path))
            # Maria's own phone walks through sign-in and registration; each page on the way is
            # measured on a fresh phone holding the same session.
            me = browser.new_context()
            page = me.new_page()
            page.goto(base + "/signin")
            page.fill("#id_address", PHONE)
            page.click("text=Send me a code")
            page.wait_for_url("**/signin/code")
            rows.append(measure_page(browser, me.storage_state(), base, "/signin/code"))
            page.fill("#id_code", last_code(PHONE))
            page.click("form >> button:has-text('Sign in')")
            page.wait_for_url("**/recovery-codes")
            rows.append(measure_page(browser, me.storage_state(), base, "/recovery-codes"))
            page.click("text=I have written them down")
            page.wait_for_url("**/household/new")
            rows.append(measure_page(browser, me.storage_state(), base, "/household/new"))
            fill_household(page)
            page.click("button[name=register]")
            page.wait_for_url("**/household/registered")
            state = me.storage_state()
            member = Member.objects.order_by("pk").first()
            for path in ["/household/registered", *SIGNED_IN_PATHS]:
                label = path.replace("{member}", "<pk>")
                rows.append(measure_page(browser, state, base, path.format(member=member.pk), label))
            me.close()
        finally:
            browser.close()
    return rows


def compressed_size(url: str) -> int:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        headers = sum(len(k) + len(v) + 4 for k, v in response.getheaders())
    if response.headers.get("Content-Encoding") != "gzip":
        body = gzip.compress(body)  # what GZipMiddleware would send to a phone
    return len(body) + headers


def table(rows: list[Row], markdown: bool) -> str:
    head = [
        "page",
        "requests",
        "first visit",
        "HTML",
        "repeat visit",
        "blocking",
        "usable first",
        "usable repeat",
        "+ headers first/repeat",
    ]
    lines = []
    body = [
        [
            r.page,
            str(r.first.requests),
            f"{r.first.bytes / KB:.1f} KB",
            f"{r.first.html / KB:.1f} KB",
            f"{r.repeat.bytes / KB:.1f} KB",
            str(r.first.blocking),
            f"{r.first.usable_ms:.0f} ms",
            f"{r.repeat.usable_ms:.0f} ms",
            f"{r.first.headers / KB:.1f} / {r.repeat.headers / KB:.1f} KB",
        ]
        for r in rows
    ]
    if markdown:
        lines.append("| " + " | ".join(head) + " |")
        lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(head))) + "|")
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
    else:
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths)))
        lines += [
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths)))
            for cells in body
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()
    os.chdir(ROOT)
    folder = tempfile.mkdtemp(prefix="cita-budget-")
    port = free_port()
    env = app_environment(folder, port)
    os.environ.update(
        {k: v for k, v in env.items() if k in {"DEBUG", "SQLITE_PATH", "SECURE_COOKIES", "ALLOWED_HOSTS"}}
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop shares this thread
    server = start_app(env, port)
    try:
        import django

        django.setup()
        base = f"http://127.0.0.1:{port}"
        rows = run(base)
        worker = compressed_size(base + "/sw.js") + compressed_size(base + "/offline")
    finally:
        server.terminate()
        server.wait(timeout=10)
    print("Regular 2G (250 kbit/s down, 50 kbit/s up, 300 ms round trip). Bytes are compressed response bodies;")
    print("HTTP/1.1 response headers are shown apart: HTTP/2 in production compresses and indexes them.")
    print(table(rows, args.markdown))
    print(
        f"Service worker install, once per phone: {worker / KB:.1f} KB (sw.js and the offline page; "
        "static files come from the HTTP cache)."
    )
    print(
        f"Budgets: first visit ≤ {BUDGET['first'] // KB} KB, HTML ≤ {BUDGET['html'] // KB} KB, repeat ≤ "
        f"{BUDGET['repeat'] / KB:g} KB, ≤ {BUDGET['blocking']} render-blocking request, usable ≤ "
        f"{BUDGET['usable_first'] / 1000:g} s first and ≤ {BUDGET['usable_repeat'] / 1000:g} s repeat."
    )
    failures = [failure for row in rows for failure in row.failures()]
    for failure in failures:
        print("OVER BUDGET:", failure)
    if not failures:
        print(f"All {len(rows)} pages are within budget.")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
