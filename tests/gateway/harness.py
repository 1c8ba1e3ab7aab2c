"""A real Kannel (bearerbox, smsbox, fakesmsc) and a real SMTP server on free loopback ports.

Used by the gateway tests (tests/gateway/conftest.py) and by scripts/bench_messages.py. Kannel
comes from the Debian packages `kannel` and `kannel-extras`; scripts/test.sh installs them. When
they are missing this fails with a clear message, never a skip.
"""

import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

FAKESMSC = "/usr/lib/kannel/test/fakesmsc"
CONFIG = Path(__file__).with_name("kannel.conf")
SHORT_CODE = "12345"
GOT = re.compile(r"Got message \d+: <(\S+) (\S+) (\S+) (.*)>$")


def missing_packages() -> str | None:
    if not shutil.which("bearerbox") or not shutil.which("smsbox") or not Path(FAKESMSC).exists():
        return (
            "The gateway tests need Kannel: install the Debian packages kannel and kannel-extras "
            "(scripts/test.sh does: sudo apt-get install kannel kannel-extras)."
        )
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def unquote(data: str) -> bytes:
    return urllib.parse.unquote_to_bytes(data.replace("+", "%20"))


def decode_bytes(raw: bytes) -> str:
    """UCS-2 (Arabic, Chinese, Russian) has a zero or a high byte in every pair; GSM text arrives as Latin-1."""
    return (
        raw.decode("utf-16-be")
        if b"\x00" in raw or any(0x04 <= b <= 0x9F for b in raw[0::2])
        else raw.decode("latin-1")
    )


def decode_line(kind: str, data: str) -> tuple[bytes | None, str]:
    """fakesmsc prints what the operator received: plain text, URL-encoded bytes, or one part of a
    long message (its UDH, then the part). Returns (UDH or None, text or the part's raw text)."""
    if kind == "text":
        return None, data
    if kind == "udh":
        udh, _kind, part = data.split(" ", 2)
        return unquote(udh), part
    raw = unquote(data)
    return None, raw.decode("utf-16-be") if kind.startswith("ucs") else decode_bytes(raw)


@dataclass
class Received:
    sender: str
    receiver: str
    text: str
    at: float  # time.monotonic() when fakesmsc printed it


@dataclass
class Kannel:
    """bearerbox and smsbox with the repository's config, and fakesmsc as every phone."""

    workdir: Path
    cita_url: str
    secret: str
    ports: dict = field(default_factory=dict)
    processes: dict = field(default_factory=dict)
    received: list = field(default_factory=list)
    parts: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.ports = {name: free_port() for name in ("admin_port", "smsbox_port", "fake_port", "sendsms_port")}
        self.password = "test-sendsms-password"
        values = {
            **self.ports,
            "workdir": self.workdir,
            "admin_password": "test-admin",
            "sendsms_password": self.password,
            "cita_url": self.cita_url,
            "secret": self.secret,
        }
        text = CONFIG.read_text().format(**values)
        self.config = self.workdir / "kannel.conf"
        self.config.write_text(text)

    @property
    def sendsms_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sendsms_port']}/cgi-bin/sendsms"

    def _spawn(self, name: str, *command: str) -> None:
        log = open(self.workdir / f"{name}.out", "ab")  # noqa: SIM115 - closed with the process
        self.processes[name] = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def start(self) -> None:
        """Start the gateway (bearerbox, then smsbox) and connect the fake operator."""
        self._spawn("bearerbox", "bearerbox", "-v", "1", str(self.config))
        wait_for_port(self.ports["smsbox_port"])
        self._spawn("smsbox", "smsbox", "-v", "1", str(self.config))
        wait_for_port(self.ports["sendsms_port"])
        if "fakesmsc" not in self.processes:
            self.phone_sends(None)

    def stop(self) -> None:
        """Stop the gateway the way an operator would (SIGTERM): smsbox, then bearerbox."""
        for name in ("smsbox", "bearerbox"):
            process = self.processes.pop(name, None)
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(10)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()

    def close(self) -> None:
        self.stop()
        self._stop_phone()

    def _stop_phone(self) -> None:
        process = self.processes.pop("fakesmsc", None)
        if process is not None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _read(self, process: subprocess.Popen) -> None:
        assert process.stdout is not None
        for line in iter(process.stdout.readline, b""):
            match = GOT.search(line.decode("utf-8", errors="replace").rstrip())
            if not match:
                continue
            sender, receiver, kind, data = match.groups()
            udh, text = decode_line(kind, data)
            if udh is not None:  # one part of a long message: 05 00 03 reference total number
                reference, total, number = udh[3], udh[4], udh[5]
                parts = self.parts.setdefault((receiver, reference), {})
                parts[number] = unquote(text)
                if len(parts) < total:
                    continue
                text = decode_bytes(b"".join(parts[n] for n in sorted(parts)))
                del self.parts[(receiver, reference)]
            with self.lock:
                self.received.append(Received(sender, receiver, text, time.monotonic()))

    def phone_sends(self, sender: str | None, text: str = "") -> None:
        """A phone texts Cita through the fake operator (a new fakesmsc: it takes one message and stays
        connected to receive). Messages for phones wait in bearerbox while it reconnects."""
        self._stop_phone()
        command = [FAKESMSC, "-H", "127.0.0.1", "-r", str(self.ports["fake_port"]), "-i", "0"]
        if sender is None:
            command += ["-m", "0", f"{SHORT_CODE} {SHORT_CODE} text nothing"]
        elif text.isascii():
            command += ["-m", "1", f"{sender} {SHORT_CODE} text {text}"]
        else:
            encoded = urllib.parse.quote(text.encode("utf-16-be"))
            command += ["-m", "1", f"{sender} {SHORT_CODE} ucs2 {encoded}"]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.processes["fakesmsc"] = process
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def messages_to(self, phone: str) -> list[Received]:
        with self.lock:
            return [m for m in self.received if m.receiver == phone]

    def wait_for(self, phone: str, count: int = 1, seconds: float = 15, containing: str = "") -> list[Received]:
        """The messages fakesmsc received for a phone, once there are `count` of them (with `containing`)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for m in self.messages_to(phone) if containing in m.text]
            if len(found) >= count:
                return found
            time.sleep(0.02)
        raise AssertionError(f"{phone} got {self.messages_to(phone)!r}, waited for {count} containing {containing!r}")


class SmtpServer:
    """aiosmtpd on a free loopback port, keeping every message it receives."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        server = self

        class Handler:
            async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's hook name
                message = message_from_bytes(envelope.content, policy=email_policy)
                server.messages.append((envelope.rcpt_tos, message))
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def wait_for(self, address: str, seconds: float = 15) -> list:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = [m for to, m in self.messages if address in to]
            if found:
                return found
            time.sleep(0.05)
        raise AssertionError(f"no email to {address}; got {[to for to, _m in self.messages]}")
