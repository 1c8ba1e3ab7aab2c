"""The demo a newcomer meets: ./scripts/demo.sh runs as printed, as production serves pages.

Here, beside the browser tests, because it is as slow as they are (it loads the whole demo)
and runs in the same step of scripts/test.sh. It starts demo.sh on a free port with its own
database, then does what its printout says: signs in as an applicant with the code printed on
the console, runs the printed staff-code command from another folder, signs in as staff, and
checks the pages are served compressed and the 404 page is the translated one; then Ctrl+C.
"""

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.browser

ROOT = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Console:
    """What demo.sh prints, read as it comes."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.lines: list[str] = []
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process) -> None:
        for line in process.stdout:
            self.lines.append(line)

    @property
    def text(self) -> str:
        return "".join(self.lines)

    def wait_for(self, pattern: str, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if found := re.search(pattern, self.text):
                return found
            time.sleep(0.2)
        raise AssertionError(f"demo.sh never printed {pattern!r}:\n{self.text[-3000:]}")


class Browser:
    """Just enough of a browser: cookies, CSRF token from the form, no redirects followed."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def open(self, path: str, data: dict | None = None, headers: dict | None = None):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers or {})  # noqa: S310 (loopback)
        try:
            return self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as answer:
            return answer

    def post_form(self, path: str, fields: dict):
        page = self.open(path).read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        return self.open(path, {"csrfmiddlewaretoken": token, **fields})


def test_the_demo_runs_as_it_says(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "SQLITE_PATH": str(tmp_path / "demo.sqlite3")}
    for name in ("DEBUG", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    demo = subprocess.Popen(
        ["/bin/bash", str(ROOT / "scripts" / "demo.sh")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    console = Console(demo)
    try:
        console.wait_for(rf"Cita is at http://localhost:{port}", timeout=420)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.5)
        printed = console.text
        assert "Ctrl+C" in printed and "--reset" in printed

        applicant = Browser(base)
        assert applicant.post_form("/signin", {"address": "+52 868 100 0001"}).status == 302
        code = console.wait_for(r"\[sms to •••0001\] \D*(\d{6})", timeout=30).group(1)
        assert applicant.post_form("/signin/code", {"code": code}).status == 302

        command = re.search(r"^\s*(SQLITE_PATH=\S+ \S+/python \S+/manage\.py demo_staff_code rosa)$", printed, re.M)
        assert command, printed
        fresh_terminal = {"PATH": os.environ["PATH"]}  # the line as a newcomer pastes it, in another terminal
        ran = subprocess.run(command.group(1), shell=True, cwd="/", capture_output=True, text=True, env=fresh_terminal)  # noqa: S602
        assert ran.returncode == 0, ran.stderr
        staff = Browser(base)
        assert staff.open("/staff/").headers["Location"].startswith("/staff/login")
        fields = {"username": "rosa", "password": "demo-password-not-for-production", "otp_token": ran.stdout.strip()}
        signed_in = staff.post_form("/staff/login?next=/staff/", fields)
        assert signed_in.status == 302 and signed_in.headers["Location"] == "/staff/"
        assert staff.open("/staff/").status == 200

        home = Browser(base).open("/", headers={"Accept-Language": "es"}).read().decode()
        stylesheet = re.search(r'href="(/static/css/cita\.[0-9a-f]+\.css)"', home).group(1)  # hashed: cached for a year
        compressed = Browser(base).open(stylesheet, headers={"Accept-Encoding": "br, gzip"})
        assert compressed.headers["Content-Encoding"] in ("br", "gzip")
        missing = Browser(base).open("/no-such-page", headers={"Accept-Language": "es"})
        page = missing.read().decode()
        assert missing.status == 404 and 'lang="es"' in page and "Django" not in page and "Traceback" not in page
    finally:
        os.killpg(demo.pid, signal.SIGINT)  # Ctrl+C, as the printout says
        try:
            demo.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(demo.pid, signal.SIGKILL)
            raise
    assert demo.returncode is not None
