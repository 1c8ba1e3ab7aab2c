"""Raw-socket HTTP for fault tests: send a form, then hang up at a chosen byte, as a phone losing signal does."""

import random
import secrets
import socket
import struct
import time
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class Drop:
    cut: int  # bytes sent before hanging up
    wait: float  # seconds between the last byte and the hang-up
    reset: bool  # hang up with a TCP reset instead of a clean close

    @property
    def label(self) -> str:
        return "reset" if self.reset else "close"


def form_request(
    path: str, form: dict[str, str], session: str, host: str = "127.0.0.1", forwarded_for: str = ""
) -> bytes:
    """A complete POST with its own CSRF cookie and token (Django accepts a matching pair of 32-character secrets)."""
    csrf = secrets.token_hex(16)
    body = urlencode({**form, "csrfmiddlewaretoken": csrf}).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\nCookie: sessionid={session}; csrftoken={csrf}\r\nConnection: close\r\n"
        + (f"X-Forwarded-For: {forwarded_for}\r\n" if forwarded_for else "")
        + "\r\n"
    )
    return head.encode() + body


def random_drop(request: bytes, rng: random.Random) -> Drop:
    """Anywhere: in the headers, in the body, right after the last byte, or while the server works on it."""
    body_start = request.index(b"\r\n\r\n") + 4
    where = rng.random()
    if where < 0.15:
        cut = rng.randrange(1, body_start)
    elif where < 0.35:
        cut = rng.randrange(body_start, len(request))
    else:
        cut = len(request)
    wait = rng.choice([0, 0, 0.001, 0.005, 0.02, 0.05]) if cut == len(request) else 0
    return Drop(cut, wait, rng.random() < 0.5)


def send_and_hang_up(address: tuple[str, int], request: bytes, drop: Drop) -> None:
    with socket.create_connection(address, timeout=10) as sock:
        sock.sendall(request[: drop.cut])
        if drop.wait:
            time.sleep(drop.wait)
        if drop.reset:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))


def send(address: tuple[str, int], request: bytes, timeout: float = 30) -> tuple[int, str]:
    """Send the whole request and read the answer: (status, Location)."""
    with socket.create_connection(address, timeout=timeout) as sock:
        sock.sendall(request)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    location = next((line.split(":", 1)[1].strip() for line in head[1:] if line.lower().startswith("location:")), "")
    return int(head[0].split()[1]), location


def resend(address: tuple[str, int], request: bytes, tries: int = 50) -> tuple[int, str, int]:
    """Send again as a phone does: told 409 (the first is still being saved), wait a little and ask
    again. (status, Location, how many 409s came first)."""
    status, location = send(address, request)
    in_flight = 0
    while status == 409 and in_flight < tries:
        in_flight += 1
        time.sleep(0.1)
        status, location = send(address, request)
    return status, location, in_flight
