"""The eligible pool: read with one plain SQL query (never model instances), recorded as a snapshot.

Canonical form (the bytes whose SHA-256 is the run's pool hash), all integers little-endian:

    line 1   "cita-pool 1 <date YYYY-MM-DD>"
    line 2   JSON: {"count": n, "ports": [[code, households], ...]} in pool order
    n lines  public references, in pool order (by port id, registration time, household id)
    n bytes  household sizes
    8n bytes registration times, signed 64-bit seconds since 1970-01-01 UTC
    n bytes  urgency of an approved vulnerability request, 1 (critical) to 3, 0 for none
    n bytes  1 if carried over from the port's previous run or rebooked after Cita cancelled its
             appointment (see rebooked()), else 0

The run stores these bytes as they are (compressing 20 MB would cost more time than the draw);
read_snapshot also reads them zlib-compressed, for archives.
"""

import datetime as dt
import hashlib
import json
import sys
import zlib
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter

from django.db import connection

from allocation.engine import Pool
from allocation.models import Appointment

MAGIC = "cita-pool 1"

POOL_SQL = """
    SELECT reference, preferred_port_id, size, {epoch}
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
    SELECT h.reference, h.preferred_port_id, {epoch}, MIN(v.urgency)
    FROM registrations_vulnerabilityrequest v JOIN registrations_household h ON h.id = v.household_id
    WHERE v.status = 'approved' AND h.status = 'waiting' AND h.size > 0
    GROUP BY h.reference, h.preferred_port_id, h.registered_at
"""
CARRIED_SQL = """
    SELECT reference, preferred_port_id, {epoch} FROM registrations_household
    WHERE status = 'waiting' AND size > 0 AND reference IN ({marks})
"""
# Waiting households whose latest appointment Cita cancelled (it grew past its window's room, or its
# port was closed that day) at the port they still prefer: flagged like a carried-over household.
REBOOKED_SQL = """
    SELECT h.reference, h.preferred_port_id FROM allocation_appointment a
    JOIN registrations_household h ON h.id = a.household_id
    WHERE a.status = 'cancelled' AND a.cancel_reason IN ({reasons})
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


def read_pool(carried: list[tuple[str, int]] = ()) -> Pool:
    """Waiting households with members, oldest first per port, as columns (one SQL query, no ORM objects).

    `carried` holds (reference, port id) pairs that did not fit at the previous run.
    """
    references: list[str] = []
    ports: list[int] = []
    sizes = bytearray()
    priorities = array("q")
    for rows in _pool_chunks(POOL_SQL.format(epoch=EPOCH[connection.vendor])):
        references.extend(map(FIRST, rows))
        ports.extend(map(SECOND, rows))
        sizes.extend(map(THIRD, rows))
        priorities.extend(map(FOURTH, rows))
    n = len(references)
    epoch = EPOCH[connection.vendor]
    urgencies = bytearray(n)
    flags = bytearray(n)
    with connection.cursor() as cursor:
        cursor.execute(VULNERABLE_SQL.format(epoch=epoch))
        for reference, port, priority, urgency in cursor.fetchall():
            i = _position(references, ports, priorities, reference, port, priority)
            if i is not None:
                urgencies[i] = urgency
        carried_port = dict(carried)
        if carried_port:
            cursor.execute(
                CARRIED_SQL.format(epoch=epoch, marks=", ".join(["%s"] * len(carried_port))), list(carried_port)
            )
            for reference, port, priority in cursor.fetchall():
                i = _position(references, ports, priorities, reference, port, priority)
                if i is not None and carried_port[reference] == port:
                    flags[i] = 1
    return Pool(references, ports, sizes, priorities, urgencies, flags)


def rebooked() -> list[tuple[str, int]]:
    """(reference, port id) of households Cita took an appointment from: served first at the next draw.

    Only the latest appointment counts, so a household seated again and then cancelling itself has no
    head start; one not seated at that draw stays flagged (and is on the run's carried-over list too).
    """
    reasons = ", ".join(f"'{reason}'" for reason in Appointment.REBOOKED_BY_CITA)
    with connection.cursor() as cursor:
        cursor.execute(REBOOKED_SQL.format(reasons=reasons))
        return [(reference, port) for reference, port in cursor.fetchall()]


def _position(references, ports, priorities, reference: str, port: int, priority: int) -> int | None:
    """Where a household sits in the pool, found by bisection on port then priority (not by a full scan)."""
    i = bisect_left(priorities, priority, bisect_left(ports, port), bisect_right(ports, port))
    while i < len(references) and ports[i] == port and priorities[i] == priority:
        if references[i] == reference:
            return i
        i += 1
    return None


def household_ids(references: list[str]) -> dict[str, int]:
    """Household ids of the given references (the seated few, after the draw)."""
    ids = {}
    with connection.cursor() as cursor:
        for start in range(0, len(references), 500):
            chunk = references[start : start + 500]
            marks = ", ".join(["%s"] * len(chunk))
            # Only placeholders are formatted into the query; the references travel as parameters.
            cursor.execute(
                f"SELECT reference, id FROM registrations_household WHERE reference IN ({marks})",  # noqa: S608
                chunk,
            )
            ids.update(cursor.fetchall())
    return ids


def _le(typecode: str, values) -> bytes:
    data = values if isinstance(values, array) and values.typecode == typecode else array(typecode, values)
    if sys.byteorder != "little":
        data = array(typecode, data)
        data.byteswap()
    return data.tobytes()


def canonical_bytes(pool: Pool, date: dt.date, codes: dict[int, str]) -> bytes:
    """The pool in its canonical form (see the module docstring)."""
    port_counts = []
    for key in sorted(set(pool.ports)):
        lo, hi = pool.port_range(key)
        port_counts.append([codes[key], hi - lo])
    header = f"{MAGIC} {date.isoformat()}\n" + json.dumps({"count": len(pool), "ports": port_counts}) + "\n"
    text = "\n".join(pool.references) + "\n" if pool.references else ""
    return b"".join(
        [
            header.encode(),
            text.encode(),
            bytes(pool.sizes),
            _le("q", pool.priorities),
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


def read_snapshot(stored: bytes) -> Snapshot:
    """Decode a stored snapshot back into a pool; port keys are positions in the header's port list."""
    stored = bytes(stored)
    canonical = stored if stored.startswith(MAGIC.encode()) else zlib.decompress(stored)
    line1, rest = canonical.split(b"\n", 1)
    magic, date = line1.decode().rsplit(" ", 1)
    if magic != MAGIC:
        raise ValueError(f"unknown snapshot format {magic!r}")
    line2, rest = rest.split(b"\n", 1)
    header = json.loads(line2)
    n = header["count"]
    parts = rest.split(b"\n", n) if n else [rest]
    references = [r.decode() for r in parts[:n]]
    body = parts[-1]
    sizes = list(body[0:n])
    priorities = array("q")
    priorities.frombytes(body[n : 9 * n])
    if sys.byteorder != "little":
        priorities.byteswap()
    urgencies = list(body[9 * n : 10 * n])
    carried = list(body[10 * n : 11 * n])
    ports: list[int] = []
    codes = {}
    for key, (code, count) in enumerate(header["ports"]):
        codes[key] = code
        ports.extend([key] * count)
    pool = Pool(references, ports, sizes, priorities.tolist(), urgencies, carried)
    return Snapshot(dt.date.fromisoformat(date), pool, codes, pool_hash(canonical))
