"""The eligible pool: read with one plain SQL query (never model instances), recorded as a snapshot.

Canonical form (the bytes whose SHA-256 is the run's pool hash), all integers little-endian:

    line 1   "cita-pool 1 <date YYYY-MM-DD>"
    line 2   JSON: {"count": n, "ports": [[code, households], ...]} in pool order
    n lines  public references, in pool order (by port id, registration time, household id)
    n bytes  household sizes
    8n bytes registration times, signed 64-bit seconds since 1970-01-01 UTC
    n bytes  urgency of an approved vulnerability request, 1 (critical) to 3, 0 for none
    n bytes  1 if carried over from the port's previous run, else 0

The stored snapshot is these bytes compressed with zlib.
"""

import datetime as dt
import hashlib
import json
import sys
import zlib
from array import array
from dataclasses import dataclass
from itertools import compress

from django.db import connection

from allocation.engine import Pool

MAGIC = "cita-pool 1"

POOL_SQL = """
    SELECT id, reference, preferred_port_id, size, {epoch}
    FROM registrations_household
    WHERE status = 'waiting' AND size > 0
    ORDER BY preferred_port_id, registered_at, id
"""
EPOCH = {
    "sqlite": "unixepoch(registered_at)",
    "postgresql": "CAST(EXTRACT(EPOCH FROM registered_at) AS bigint)",
}
VULNERABLE_SQL = """
    SELECT household_id, MIN(urgency) FROM registrations_vulnerabilityrequest
    WHERE status = 'approved' GROUP BY household_id
"""


@dataclass
class LoadedPool:
    pool: Pool
    ids: list[int]


def read_pool(carried: list[tuple[int, int]] = ()) -> LoadedPool:
    """Waiting households with members, oldest first per port, as columns (one SQL query, no ORM objects)."""
    with connection.cursor() as cursor:
        cursor.execute(POOL_SQL.format(epoch=EPOCH[connection.vendor]))
        rows = cursor.fetchall()
        cursor.execute(VULNERABLE_SQL)
        urgent = dict(cursor.fetchall())
    if rows:
        ids, references, ports, sizes, priorities = map(list, zip(*rows))
    else:
        ids, references, ports, sizes, priorities = [], [], [], [], []
    del rows
    n = len(ids)
    urgencies = [0] * n
    for i in compress(range(n), map(urgent.__contains__, ids)):
        urgencies[i] = urgent[ids[i]]
    flags = [0] * n
    carried_port = dict(carried)
    for i in compress(range(n), map(carried_port.__contains__, ids)):
        if carried_port[ids[i]] == ports[i]:
            flags[i] = 1
    pool = Pool(references, ports, sizes, priorities, urgencies, flags)
    return LoadedPool(pool, ids)


def _le(typecode: str, values: list[int]) -> bytes:
    data = array(typecode, values)
    if sys.byteorder != "little":
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
    return b"".join([
        header.encode(), text.encode(), bytes(pool.sizes), _le("q", pool.priorities),
        bytes(pool.urgencies), bytes(pool.carried),
    ])


def pool_hash(canonical: bytes) -> str:
    return hashlib.sha256(canonical).hexdigest()


def compress_snapshot(canonical: bytes) -> bytes:
    return zlib.compress(canonical, 1)


@dataclass
class Snapshot:
    date: dt.date
    pool: Pool
    codes: dict[int, str]  # port key in the pool -> port code
    hash: str


def read_snapshot(stored: bytes) -> Snapshot:
    """Decode a stored snapshot back into a pool; port keys are positions in the header's port list."""
    canonical = zlib.decompress(bytes(stored))
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
