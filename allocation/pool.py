"""The eligible pool: read with one plain SQL query (never model instances), recorded as a snapshot.

Canonical form 2 (the bytes whose SHA-256 is the run's pool hash): public numbers only, so that
the published record of a draw (transparency.record) rebuilds exactly these bytes.

    line 1     "cita-pool 2 <date YYYY-MM-DD>"
    one line   "<port code> <households>" per port with households, in pool order
    one empty line
    8n bytes   ticket numbers (the household's id), unsigned 64-bit little-endian, in pool order
    n bytes    household sizes
    4n bytes   whole days waited at midnight UTC of the date (0 if less than a day), unsigned 32-bit LE
    n bytes    urgency of an approved vulnerability request, 1 (critical) to 3, 0 for none
    n bytes    1 if carried over from the port's previous run or rebooked after Cita cancelled its
               appointment (see rebooked()), else 0

Pool order is by port id, then registration time, then household id. Form 1 (references and
registration times, before the record was published) is still read, so old runs stay verifiable.
The run stores these bytes as they are; read_snapshot also reads them zlib-compressed, for archives.
"""

import calendar
import datetime as dt
import hashlib
import json
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.db import connection

from allocation.engine import Pool
from allocation.models import Appointment

MAGIC = "cita-pool 2"
OLD_MAGIC = "cita-pool 1"

POOL_SQL = """
    SELECT id, preferred_port_id, size, {epoch}
    FROM registrations_household
    WHERE status = 'waiting' AND size > 0
    ORDER BY preferred_port_id, registered_at, id
"""
EPOCH = {
    "sqlite": "unixepoch(registered_at)",
    # date_part gives a double (exact to the microsecond for these dates); EXTRACT's numeric is slower.
    "postgresql": "CAST(FLOOR(date_part('epoch', registered_at)) AS bigint)",
}
VULNERABLE_SQL = """
    SELECT h.id, h.preferred_port_id, {epoch}, MIN(v.urgency)
    FROM registrations_vulnerabilityrequest v JOIN registrations_household h ON h.id = v.household_id
    WHERE v.status = 'approved' AND h.status = 'waiting' AND h.size > 0
    GROUP BY h.id, h.preferred_port_id, h.registered_at
"""
CARRIED_SQL = """
    SELECT id, preferred_port_id, {epoch} FROM registrations_household
    WHERE status = 'waiting' AND size > 0 AND id IN ({marks})
"""
# Waiting households whose latest appointment Cita cancelled (it grew past its window's room, or its
# port was closed that day) at the port they still prefer: flagged like a carried-over household.
# CROSS JOIN keeps the few cancelled appointments as SQLite's outer loop (index appointment_status_reason);
# joined the other way it walked a port's appointments for every waiting household (0.5 s at 20,000).
REBOOKED_SQL = """
    SELECT h.id, h.preferred_port_id FROM allocation_appointment a
    CROSS JOIN registrations_household h
    WHERE h.id = a.household_id AND a.status = 'cancelled' AND a.cancel_reason IN ({reasons})
      AND h.status = 'waiting' AND h.size > 0 AND a.port_id = h.preferred_port_id
      AND a.id = (SELECT MAX(b.id) FROM allocation_appointment b WHERE b.household_id = a.household_id)
"""
CHUNK = 100_000
FIRST, SECOND, THIRD, FOURTH = (itemgetter(n) for n in range(4))


POOL_INDEX = "household_allocation_pool"
POOL_INDEX_SQL = {
    "postgresql": f"CREATE INDEX IF NOT EXISTS {POOL_INDEX} ON registrations_household "
    "(status, preferred_port_id, registered_at, id) INCLUDE (size, reference)",
    "sqlite": f"CREATE INDEX IF NOT EXISTS {POOL_INDEX} ON registrations_household "
    "(status, preferred_port_id, registered_at, id, size, reference)",
}


def ensure_pool_index(using: str = "default", **kwargs) -> None:
    """The covering index that lets POOL_SQL read the whole queue from the index alone, in order."""
    from django.db import connections

    db = connections[using]
    if db.vendor in POOL_INDEX_SQL and "registrations_household" in db.introspection.table_names():
        with db.cursor() as cursor:
            cursor.execute(POOL_INDEX_SQL[db.vendor])


def _pool_chunks(sql: str) -> Iterator[list[tuple]]:
    """The pool query's rows in chunks. On PostgreSQL streamed (libpq chunked rows): a third of the
    memory of fetching all rows at once, and no round trip per chunk as with a server-side cursor."""
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            rows = cursor.stream(sql, size=10_000)
            while chunk := list(islice(rows, CHUNK)):
                yield chunk
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while chunk := cursor.fetchmany(CHUNK):
            yield chunk


def read_pool(carried: Sequence[tuple[int, int]] = ()) -> Pool:
    """Waiting households with members, oldest first per port, as columns (one SQL query, no ORM objects).

    `carried` holds (household id, port id) pairs that did not fit at the previous run.
    """
    tickets = array("q")
    ports: list[int] = []
    sizes = bytearray()
    priorities = array("q")
    for rows in _pool_chunks(POOL_SQL.format(epoch=EPOCH[connection.vendor])):
        tickets.extend(map(FIRST, rows))
        ports.extend(map(SECOND, rows))
        sizes.extend(map(THIRD, rows))
        priorities.extend(map(FOURTH, rows))
    n = len(tickets)
    epoch = EPOCH[connection.vendor]
    urgencies = bytearray(n)
    flags = bytearray(n)
    with connection.cursor() as cursor:
        cursor.execute(VULNERABLE_SQL.format(epoch=epoch))
        for ticket, port, priority, urgency in cursor.fetchall():
            i = _position(tickets, ports, priorities, ticket, port, priority)
            if i is not None:
                urgencies[i] = urgency
        carried_port = _carried_ids(cursor, carried)
        if carried_port:
            cursor.execute(
                CARRIED_SQL.format(epoch=epoch, marks=", ".join(["%s"] * len(carried_port))), list(carried_port)
            )
            for ticket, port, priority in cursor.fetchall():
                i = _position(tickets, ports, priorities, ticket, port, priority)
                if i is not None and carried_port[ticket] == port:
                    flags[i] = 1
    return Pool(tickets, ports, sizes, priorities, urgencies, flags)


def rebooked() -> list[tuple[int, int]]:
    """(household id, port id) of households Cita took an appointment from: served first at the next draw.

    Only the latest appointment counts, so a household seated again and then cancelling itself has no
    head start; one not seated at that draw stays flagged (and is on the run's carried-over list too).
    """
    reasons = ", ".join(f"'{reason}'" for reason in Appointment.REBOOKED_BY_CITA)
    with connection.cursor() as cursor:
        cursor.execute(REBOOKED_SQL.format(reasons=reasons))
        return [(ticket, port) for ticket, port in cursor.fetchall()]


def _carried_ids(cursor, carried) -> dict[int, int]:
    """Household id -> port id; runs recorded before ticket numbers named households by reference."""
    by_id = {key: port for key, port in carried if isinstance(key, int)}
    by_reference = {key: port for key, port in carried if isinstance(key, str)}
    if by_reference:
        marks = ", ".join(["%s"] * len(by_reference))
        # Only placeholders are formatted into the query; the references travel as parameters.
        sql = f"SELECT reference, id FROM registrations_household WHERE reference IN ({marks})"  # noqa: S608
        cursor.execute(sql, list(by_reference))
        by_id.update((pk, by_reference[reference]) for reference, pk in cursor.fetchall())
    return by_id


def _position(tickets, ports, priorities, ticket: int, port: int, priority: int) -> int | None:
    """Where a household sits in the pool, found by bisection on port then priority (not by a full scan)."""
    i = bisect_left(priorities, priority, bisect_left(ports, port), bisect_right(ports, port))
    while i < len(tickets) and ports[i] == port and priorities[i] == priority:
        if tickets[i] == ticket:
            return i
        i += 1
    return None


def _le(typecode: str, values) -> bytes:
    data = values if isinstance(values, array) and values.typecode == typecode else array(typecode, values)
    if sys.byteorder != "little":
        data = array(typecode, data)
        data.byteswap()
    return data.tobytes()


def days_waited(pool: Pool, date: dt.date) -> array:
    """Whole days each household has waited at midnight UTC of the date (0 for less than a day)."""
    midnight = calendar.timegm(date.timetuple())
    return array("I", [max(0, (midnight - p) // 86400) for p in pool.priorities])


def canonical_bytes(pool: Pool, date: dt.date, codes: dict[int, str]) -> bytes:
    """The pool in its canonical form 2 (see the module docstring)."""
    header = f"{MAGIC} {date.isoformat()}\n"
    for key in sorted(set(pool.ports)):
        lo, hi = pool.port_range(key)
        header += f"{codes[key]} {hi - lo}\n"
    return b"".join(
        [
            (header + "\n").encode(),
            _le("Q", pool.tickets),
            bytes(pool.sizes),
            _le("I", days_waited(pool, date)),
            bytes(pool.urgencies),
            bytes(pool.carried),
        ]
    )


def store_snapshot(run_id: int, canonical: bytes) -> None:
    """Write the run's inputs. On PostgreSQL as a binary parameter bound by the server: Django's
    client-side binding would inline 20 MB as a hex literal (5x slower, 160 MB more memory)."""
    sql = "INSERT INTO allocation_runinputs (run_id, snapshot) VALUES (%s, {})"
    if connection.vendor == "postgresql":
        import psycopg

        connection.ensure_connection()
        with psycopg.Cursor(connection.connection) as cursor:
            cursor.execute(sql.format("%b"), [run_id, canonical])
        return
    with connection.cursor() as cursor:
        cursor.execute(sql.format("%s"), [run_id, canonical])


def pool_hash(canonical: bytes) -> str:
    """The published pool hash: SHA-256 of the canonical form, in hex."""
    return hashlib.sha256(canonical).hexdigest()


def compact(canonical: bytes) -> bytes:
    """zlib-compressed, for archiving old snapshots; read_snapshot reads either form."""
    return zlib.compress(canonical, 6)


@dataclass
class Snapshot:
    date: dt.date
    pool: Pool
    codes: dict[int, str]  # port key in the pool -> port code
    hash: str
    version: int  # 2: tickets and days waited; 1: references and registration times


def read_snapshot(stored: bytes) -> Snapshot:
    """Decode a stored snapshot back into a pool; port keys are positions in the header's port list.

    Form 2 records days waited, not registration times: each household's priority is rebuilt as
    midnight UTC of the date less its days, which keeps the order and gives the draw the same tickets."""
    stored = bytes(stored)
    canonical = stored if stored.startswith(b"cita-pool ") else zlib.decompress(stored)
    line1, rest = canonical.split(b"\n", 1)
    magic, date = line1.decode().rsplit(" ", 1)
    day = dt.date.fromisoformat(date)
    if magic == OLD_MAGIC:
        return _read_form_1(day, rest, pool_hash(canonical))
    if magic != MAGIC:
        raise ValueError(f"unknown snapshot format {magic!r}")
    head, body = rest.split(b"\n\n", 1) if not rest.startswith(b"\n") else (b"", rest[1:])
    counts = [(code, int(count)) for code, count in (line.split(" ") for line in head.decode().splitlines())]
    n = sum(count for _code, count in counts)
    tickets, days = array("Q"), array("I")
    tickets.frombytes(body[: 8 * n])
    days.frombytes(body[9 * n : 13 * n])
    if sys.byteorder != "little":
        tickets.byteswap()
        days.byteswap()
    midnight = calendar.timegm(day.timetuple())
    priorities = array("q", (midnight - d * 86400 for d in days))
    del days
    ports, codes = _port_keys(counts)
    # Compact columns (arrays and bytes, 1 to 8 bytes a household, not a Python int each): repeating a
    # draw of 1,000,000 households stays well under 300 MB (verify_allocation).
    pool = Pool(tickets, ports, body[8 * n : 9 * n], priorities, body[13 * n : 14 * n], body[14 * n : 15 * n])
    return Snapshot(day, pool, codes, pool_hash(canonical), 2)


def _port_keys(counts: list[tuple[str, int]]) -> tuple[array, dict[int, str]]:
    ports = array("H")
    codes = {}
    for key, (code, count) in enumerate(counts):
        codes[key] = code
        ports.extend(array("H", [key]) * count)
    return ports, codes


def _read_form_1(day: dt.date, rest: bytes, digest: str) -> Snapshot:
    """Form 1: JSON port counts, references one per line, then sizes, registration times, urgency, carried."""
    line2, rest = rest.split(b"\n", 1)
    header = json.loads(line2)
    n = header["count"]
    parts = rest.split(b"\n", n) if n else [rest]
    references = [r.decode() for r in parts[:n]]
    body = parts[-1]
    priorities = array("q")
    priorities.frombytes(body[n : 9 * n])
    if sys.byteorder != "little":
        priorities.byteswap()
    ports, codes = _port_keys([tuple(pair) for pair in header["ports"]])
    pool = Pool(
        references, ports, list(body[0:n]), priorities.tolist(), list(body[9 * n : 10 * n]), list(body[10 * n : 11 * n])
    )
    return Snapshot(day, pool, codes, digest, 1)
