"""Synthetic waiting households for benchmarks and demos: realistic sizes, ports and nationalities."""

import datetime as dt
import random
import secrets
from collections.abc import Callable, Iterator

from django.db import connection, transaction

from registrations.models import Household, Member, Place
from registrations.references import ALPHABET, _check_character, format_reference
from shared.models import Port

# Household sizes 1–12, most households small (mean about 3 people).
SIZE_WEIGHTS = {1: 28, 2: 20, 3: 17, 4: 14, 5: 9, 6: 5, 7: 3, 8: 2, 9: 1, 10: 0.6, 11: 0.3, 12: 0.2}
# Share of requests per port, after the 2023 reports: San Ysidro/Tijuana busiest, then El Paso and
# the Rio Grande valley.
PORT_WEIGHTS = {
    "san-ysidro": 30,
    "el-paso": 16,
    "hidalgo": 13,
    "brownsville": 13,
    "nogales": 8,
    "calexico": 7,
    "laredo": 7,
    "eagle-pass": 6,
}
# Nationalities of CBP One appointment holders in 2023 (approximate), with the usual language.
NATIONALITIES = {
    "VE": (22, "es"),
    "HT": (18, "ht"),
    "MX": (16, "es"),
    "HN": (9, "es"),
    "CU": (7, "es"),
    "GT": (5, "es"),
    "CO": (5, "es"),
    "EC": (4, "es"),
    "SV": (3, "es"),
    "NI": (3, "es"),
    "PE": (2, "es"),
    "RU": (2, "ru"),
    "CN": (2, "zh-hans"),
    "BR": (1, "pt"),
    "AF": (1, "en"),
}
BATCH = 20_000


def _reference(rng: random.Random) -> str:
    data = "".join(rng.choices(ALPHABET, k=8))
    return format_reference(data + _check_character(data))


def _rows(
    count: int, rng: random.Random, now: dt.datetime, days: int, ports: dict[str, int], places: list[int]
) -> Iterator[tuple]:
    sizes, size_w = list(SIZE_WEIGHTS), list(SIZE_WEIGHTS.values())
    port_ids = [ports[c] for c in PORT_WEIGHTS if c in ports]
    port_w = [w for c, w in PORT_WEIGHTS.items() if c in ports]
    nats, nat_w = list(NATIONALITIES), [w for w, _ in NATIONALITIES.values()]
    seen: set[str] = set()
    span = days * 86400
    for _ in range(count):
        reference = _reference(rng)
        while reference in seen:
            reference = _reference(rng)
        seen.add(reference)
        nationality = rng.choices(nats, nat_w)[0]
        # Registrations grow over time: later days are a little busier than earlier ones.
        offset = span * (rng.random() ** 0.8)
        yield (
            reference,
            now - dt.timedelta(seconds=span - offset + 3600),
            "waiting",
            rng.choices(sizes, size_w)[0],
            NATIONALITIES[nationality][1],
            now,
            rng.choices(port_ids, port_w)[0],
            rng.choice(places),
            nationality,
        )


# The columns generated per household; every other column takes the model field's default.
VARYING = [
    "reference",
    "registered_at",
    "status",
    "size",
    "language",
    "updated_at",
    "preferred_port_id",
    "current_place_id",
]


def _insert_households(rows: list[tuple]) -> None:
    """Insert rows (varying columns first) with one statement per batch, or COPY on PostgreSQL."""
    fixed = [f for f in Household._meta.concrete_fields if not f.primary_key and f.column not in VARYING]
    constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in fixed)
    columns = ", ".join(VARYING + [str(f.column) for f in fixed])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY registrations_household ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row[:8] + constants)
        else:
            marks = ", ".join(["%s"] * (len(VARYING) + len(fixed)))
            cursor.executemany(
                f"INSERT INTO registrations_household ({columns}) VALUES ({marks})",  # noqa: S608
                [row[:8] + constants for row in rows],
            )


def _insert_members(rows: list[tuple], rng: random.Random) -> None:
    """One minimal member per person with the household's nationality (through the model: fields are encrypted)."""
    ids = dict(Household.objects.filter(reference__in=[row[0] for row in rows]).values_list("reference", "pk"))
    members = []
    for row in rows:
        for n in range(row[3]):
            members.append(
                Member(
                    household_id=ids[row[0]],
                    given_names=f"Person {n + 1}",
                    family_names=row[0],
                    date_of_birth=dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(60 * 365)),
                    nationality=row[8],
                    sex=rng.choice("FM"),
                    relationship="head" if n == 0 else "child",
                    person_key=secrets.token_hex(32),
                )
            )
    Member.objects.bulk_create(members, batch_size=2000)


def generate_households(
    count: int,
    *,
    seed: int | None = None,
    days: int = 270,
    members: bool = False,
    now: dt.datetime | None = None,
    progress: Callable[[int], None] | None = None,
    written: Callable[[list[tuple]], None] | None = None,
) -> int:
    """Insert `count` waiting households registered over the last `days` days, in batches; returns the count.

    `written` receives each batch's rows as inserted (reference first, nationality last): the
    simulator keeps nationalities that way without creating members."""
    rng = random.Random(seed)  # noqa: S311 - synthetic data, repeatable on purpose
    now = now or dt.datetime.now(dt.UTC)
    ports = dict(Port.objects.filter(accepts_requests=True).values_list("code", "id"))
    places = list(Place.objects.values_list("id", flat=True))
    existing: set[str] = set()
    done = 0
    batch: list[tuple] = []
    for row in _rows(count, rng, now, days, ports, places):
        batch.append(row)
        if len(batch) == BATCH:
            done += _write_batch(batch, existing, rng, now, members, written)
            batch = []
            if progress:
                progress(done)
    if batch:
        done += _write_batch(batch, existing, rng, now, members, written)
    return done


def _write_batch(
    batch: list[tuple],
    existing: set,
    rng: random.Random,
    now: dt.datetime,
    members: bool,
    written: Callable[[list[tuple]], None] | None = None,
) -> int:
    refs = [row[0] for row in batch]
    with connection.cursor() as cursor:
        marks = ",".join(["%s"] * len(refs))
        cursor.execute(f"SELECT reference FROM registrations_household WHERE reference IN ({marks})", refs)  # noqa: S608
        taken = {r for (r,) in cursor.fetchall()}
    rows = [row for row in batch if row[0] not in taken]
    with transaction.atomic():
        _insert_households(rows)
        if members:
            _insert_members(rows, rng)
    if written:
        written(rows)
    return len(rows)
