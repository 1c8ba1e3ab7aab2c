#!/usr/bin/env python
"""Benchmark: what field-level encryption costs per request (AES-GCM fields and keyed hashes).

    .venv/bin/python scripts/bench_encryption.py [--rounds N]

Builds a scratch SQLite database in a temporary folder (migrated, reference data included) and
drives the real views in-process with Django's test Client, DEBUG off, rate limits on:

- POST /household/new for a household of 1, 4 and 8 people, each by a fresh applicant signed in
  on their own connection (contact phone given, languages filled in, needs left empty);
- GET /household (the status page) and GET /household/registered of those households;
- GET /staff/households/<reference> by an NGO worker of the organisation that registered them.

Every request is timed as a whole, and so is the work inside it spent in
`shared.encryption.encrypt` / `decrypt` (AES-256-GCM, base64; Fernet for older tokens),
`blind_index` (HMAC-SHA256 to find an address or rate-limit a connection without storing it) and
`registrations.persons.person_key` (HMAC-SHA256 that finds the same person in two households).
The encrypted model fields call `encrypt`/`decrypt` on every write/read of a non-empty value.
Prints, per request, the median total, the median time in that work, its share of the request,
and the number of calls; then the cost of one call of each on a 20-character name.

Not part of the test suite. Times are wall clock of this one process; SQLite on local disk
makes the database part of each request cheaper than PostgreSQL would, so the share of crypto
printed here is an upper bound for production.
"""

import argparse
import contextlib
import datetime as dt
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NAME = "Luisa Fernanda Rojas"  # a typical 20-character name
SIZES = (1, 4, 8)
GIVEN = ["María José", "Luis Alberto", "Ana Lucía", "Diego", "Sofía", "Carlos Andrés", "Valentina", "Mateo"]
RELATIONSHIPS = ["head", "partner", "child", "child", "child", "child", "child", "child"]
KINDS = ("encrypt", "decrypt", "blind_index", "person_key")


# --- counting the crypto calls -------------------------------------------------------------------


class CryptoMeter:
    """Wraps the crypto functions wherever they are referenced, counting calls and nanoseconds."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.nanoseconds: Counter[str] = Counter()

    def reset(self) -> None:
        self.calls.clear()
        self.nanoseconds.clear()

    def _wrap(self, kind: str, function: Callable) -> Callable:
        calls, nanoseconds, clock = self.calls, self.nanoseconds, time.perf_counter_ns

        def timed(*args, **kwargs):
            started = clock()
            try:
                return function(*args, **kwargs)
            finally:
                nanoseconds[kind] += clock() - started
                calls[kind] += 1

        timed.__wrapped__ = function
        return timed

    def install(self) -> None:
        """Replace each function in every loaded module that imported it (`from … import blind_index`)."""
        from registrations import persons
        from shared import encryption

        originals = {
            "encrypt": encryption.encrypt,
            "decrypt": encryption.decrypt,
            "blind_index": encryption.blind_index,
            "person_key": persons.person_key,
        }
        wrapped = {id(function): self._wrap(kind, function) for kind, function in originals.items()}
        for module in list(sys.modules.values()):
            names = getattr(module, "__dict__", {})
            for name, value in list(names.items()):
                if id(value) in wrapped:
                    setattr(module, name, wrapped[id(value)])


# --- Django against a scratch database ------------------------------------------------------------


def setup(folder: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ["SQLITE_PATH"] = os.path.join(folder, "bench.sqlite3")
    os.environ["DEBUG"] = "false"  # no query log: production conditions
    os.environ["SECURE_COOKIES"] = "false"
    os.environ["LOG_LEVEL"] = "ERROR"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django
    from django.conf import settings

    django.setup()
    # Templates render without collectstatic (as in tests/conftest.py); the test Client's host.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # staff set-up only

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.urls import get_resolver

    get_resolver().url_patterns  # import every view module before the functions are wrapped


class People:
    """Fresh applicants, each on their own connection, with people nobody registered before."""

    def __init__(self) -> None:
        self.count = 0

    def applicant(self):
        import re

        from django.test import Client

        from shared.encryption import blind_index
        from shared.models import OutboundMessage

        self.count += 1
        address = f"+52868{self.count:07d}"
        client = Client(REMOTE_ADDR=f"10.{self.count // 65536 % 256}.{self.count // 256 % 256}.{self.count % 256}")
        with contextlib.redirect_stdout(io.StringIO()):  # the development outbox prints each code
            client.post("/signin", {"address": address})
        body = OutboundMessage.objects.filter(address_index=blind_index("address", address)).latest("pk").body
        response = client.post("/signin/code", {"code": re.search(r"\b(\d{6})\b", body).group(1)})
        assert response.status_code == 302, response.content.decode()[:500]
        client.post("/recovery-codes")
        return client, address

    def household_post(self, size: int, phone: str) -> dict[str, str]:
        from registrations.models import Place
        from shared.models import Port

        data = {
            "idempotency_key": uuid.uuid4().hex,
            "current_place": str(Place.objects.get(name="Matamoros").pk),
            "preferred_port": str(Port.objects.get(code="brownsville").pk),
            "contact_phone": phone,
            "contact_email": "",
            "language": "es",
            "members-TOTAL_FORMS": str(size),
            "members-INITIAL_FORMS": "0",
            "members-MIN_NUM_FORMS": "1",
            "members-MAX_NUM_FORMS": "20",
        }
        born = dt.date(1960, 1, 1) + dt.timedelta(days=self.count * 10)  # no one registered twice
        for i in range(size):
            prefix = f"members-{i}-"
            data |= {
                f"{prefix}given_names": GIVEN[i],
                f"{prefix}family_names": "Pérez Rojas",
                f"{prefix}date_of_birth": (born + dt.timedelta(days=i)).isoformat(),
                f"{prefix}nationality": "VE",
                f"{prefix}sex": "F" if i % 2 == 0 else "M",
                f"{prefix}relationship": RELATIONSHIPS[i],
                f"{prefix}languages": "Español",
                f"{prefix}needs": "",
            }
        return data


def ngo_worker():
    """Rosa of Casa del Migrante, signed in with password and authenticator code."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from registrations.models import Organisation
    from staff.models import StaffProfile

    organisation = Organisation.objects.create(name="Casa del Migrante", city="Matamoros")
    password = uuid.uuid4().hex
    user = get_user_model().objects.create_user("rosa", password=password)
    StaffProfile.objects.create(user=user, role="ngo", organisation=organisation)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client(REMOTE_ADDR="192.0.2.1")
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/staff/login", {"username": "rosa", "password": password, "otp_token": token})
    assert response.status_code == 302, response.content.decode()[:500]
    return client, organisation


# --- measuring ------------------------------------------------------------------------------------


@dataclass
class Row:
    label: str
    totals: list[float] = field(default_factory=list)  # ms
    crypto: list[float] = field(default_factory=list)  # ms
    calls: list[Counter] = field(default_factory=list)

    def add(self, total_ns: int, meter: CryptoMeter) -> None:
        self.totals.append(total_ns / 1e6)
        self.crypto.append(sum(meter.nanoseconds.values()) / 1e6)
        self.calls.append(Counter(meter.calls))

    def cells(self) -> list[str]:
        share = statistics.median(c / t for c, t in zip(self.crypto, self.totals)) * 100

        def count(kind: str) -> str:
            low, high = min(c[kind] for c in self.calls), max(c[kind] for c in self.calls)
            return str(low) if low == high else f"{low}–{high}"

        return [
            self.label,
            f"{statistics.median(self.totals):.2f}",
            f"{statistics.median(self.crypto):.3f}",
            f"{share:.1f} %",
            *(count(kind) for kind in KINDS),
        ]


def timed(meter: CryptoMeter, row: Row | None, request: Callable, expect: int):
    meter.reset()
    started = time.perf_counter_ns()
    response = request()
    elapsed = time.perf_counter_ns() - started
    assert response.status_code == expect, (row and row.label, response.status_code, response.content[:500])
    if row is not None:
        row.add(elapsed, meter)
    return response


def measure_requests(rounds: int, meter: CryptoMeter) -> list[Row]:
    from registrations.models import Applicant, Household, OrganisationHousehold

    people = People()
    rosa, organisation = ngo_worker()
    posts = {size: Row(f"POST /household/new, {size} {'person' if size == 1 else 'people'}") for size in SIZES}
    pages = {size: Row(f"GET /household ({size})") for size in SIZES}
    registered = {size: Row(f"GET /household/registered ({size})") for size in SIZES}
    staff = {size: Row(f"GET /staff/households/<ref> ({size})") for size in SIZES}
    for round_ in range(rounds + 1):  # round 0 warms templates and caches; not counted
        for size in SIZES:
            client, phone = people.applicant()
            data = people.household_post(size, phone)
            warm = round_ == 0
            timed(meter, None if warm else posts[size], lambda: client.post("/household/new", data), 302)
            household = Household.objects.get(applicant__address_index=Applicant.index_of(phone))
            OrganisationHousehold.objects.create(organisation=organisation, household=household, reason="registered")
            timed(meter, None if warm else registered[size], lambda: client.get("/household/registered"), 200)
            timed(meter, None if warm else pages[size], lambda: client.get("/household"), 200)
            url = f"/staff/households/{household.reference}"
            timed(meter, None if warm else staff[size], lambda: rosa.get(url), 200)
    return [*posts.values(), *pages.values(), *registered.values(), *staff.values()]


def microbench() -> list[tuple[str, float]]:
    """µs per call on a 20-character name, unwrapped: the best of 5 batches (the least disturbed)."""
    from registrations import persons
    from shared import encryption

    encrypt, decrypt, blind_index, person_key = (
        getattr(f, "__wrapped__", f)
        for f in (encryption.encrypt, encryption.decrypt, encryption.blind_index, persons.person_key)
    )
    token = encrypt(NAME)
    born = dt.date(1990, 4, 12)
    cases = [
        ("encrypt", lambda: encrypt(NAME)),
        ("decrypt", lambda: decrypt(token)),
        ("blind_index", lambda: blind_index("address", NAME)),
        ("person_key", lambda: person_key("Luisa Fernanda", "Rojas", born, "VE")),
    ]
    results = []
    for label, call in cases:
        batches = []
        for _ in range(5):
            started = time.perf_counter_ns()
            for _ in range(2000):
                call()
            batches.append((time.perf_counter_ns() - started) / 2000 / 1000)
        results.append((label, min(batches)))
    return results


def table(head: list[str], body: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(head, widths)))]
    lines += [
        "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))) for row in body
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=50, help="measured requests of each kind (default 50)")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cita-bench-encryption-") as folder:
        setup(folder)
        meter = CryptoMeter()
        meter.install()
        rows = measure_requests(args.rounds, meter)
        micro = microbench()
        from django.conf import settings
        from django.db import connection

        keys = len(settings.FIELD_ENCRYPTION_KEYS) or 1
        connection.close()
    head = ["request", "ms total", "ms crypto", "% crypto", "encrypt", "decrypt", "blind idx", "person key"]
    print(
        f"\nMedian of {args.rounds} requests each, in-process test Client, SQLite, DEBUG off, "
        f"{keys} key{'s' if keys > 1 else ''} (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores):"
    )
    print(table(head, [row.cells() for row in rows]))
    print(
        "ms crypto: time inside encrypt, decrypt, blind_index and person_key; % crypto: median of each "
        "request's share;\n(n) = people in the household; the last four columns are calls per request."
    )
    print("\nOne call on a 20-character name (best of 5 × 2000):")
    print(table(["function", "µs per call"], [[label, f"{us:.1f}"] for label, us in micro]))
    print(f"\n{time.monotonic() - started:.0f} s in all.")


if __name__ == "__main__":
    main()
