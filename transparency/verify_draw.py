#!/usr/bin/env python3
"""Check a published Cita draw from its record alone.

    python3 verify_draw.py https://SITE/draws/2030-03-04.json
    python3 verify_draw.py 2030-03-04.json

Recomputes the seed commitment, the pool hash, every share's seats, the lottery order and every
seat's window from the record, then prints MATCH and exits 0, or prints the first difference and
exits 1. Python 3.10 or later, standard library only; it imports nothing from Cita. The rules it
follows are written out in docs/allocation.md ("The draw, exactly").
"""

import bisect
import gzip
import hashlib
import heapq
import itertools
import json
import sys
import urllib.request
from array import array
from collections import Counter
from operator import itemgetter

# Each format names the draw rule the run used (docs/allocation.md, "The draw, exactly").
FORMATS = {"cita-draw-record 1": 1, "cita-draw-record 2": 2}
RESERVED, WAITING, LOTTERY = "reserved", "waiting", "lottery"


class Difference(Exception):
    """The record does not match what its inputs give."""


def load(source: str) -> dict:
    """The record from a URL or a file (plain or gzip-compressed JSON)."""
    if source.startswith(("http://", "https://")):
        request = urllib.request.Request(source, headers={"Accept-Encoding": "gzip"})  # noqa: S310
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310
            data = response.read()
    else:
        with open(source, "rb") as file:
            data = file.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        return json.loads(data)
    except ValueError as error:
        raise Difference(f"The record is not valid JSON: {error}.") from None


def check_commitment(record: dict) -> None:
    """The revealed seed hashes (SHA-256 of its UTF-8 bytes) to the commitment published before the draw."""
    seed, committed = record["seed"], record["seed_commitment"]
    if not seed:
        raise Difference("The seed has not been revealed.")
    if record.get("beacon") and not committed:
        return  # named in advance as a beacon round: its value is public (see the note printed with MATCH)
    found = hashlib.sha256(seed.encode()).hexdigest()
    if found != committed:
        raise Difference(f"seed: its SHA-256 is {found}, not the published commitment {committed}.")


def read_pool(record: dict) -> tuple[list[str], dict]:
    """The pool columns, checked to be in canonical order: grouped by port in draw order, ranks 1, 2, 3..."""
    columns = record["pool"]["columns"]
    expected = ["ticket", "port", "size", "rank", "days_waited", "urgency", "carried_over"]
    if columns != expected:
        raise Difference(f"pool columns: {columns}, expected {expected}.")
    rows = record["pool"]["rows"]
    tickets, ports, sizes, ranks, days, urgencies, carried = (list(map(itemgetter(n), rows)) for n in range(7))
    order = [port["code"] for port in record["ports"]]
    groups = [(code, len(list(run))) for code, run in itertools.groupby(ports)]
    position = {code: n for n, code in enumerate(order)}
    start = 0
    for n, (code, count) in enumerate(groups):
        if code not in position or (n and position[code] <= position[groups[n - 1][0]]):
            raise Difference(f"pool row {start + 1}: port {code!r} is out of order or not among the ports.")
        if ranks[start : start + count] != list(range(1, count + 1)):
            bad = next(i for i, r in enumerate(ranks[start : start + count], 1) if r != i)
            raise Difference(f"pool row {start + bad}: rank {ranks[start + bad - 1]}, expected {bad} at {code}.")
        part = days[start : start + count]
        if any(a < b for a, b in zip(part, part[1:])):
            bad = next(i for i, (a, b) in enumerate(zip(part, part[1:]), 2) if a < b)
            raise Difference(f"pool row {start + bad}: waited more days than the household ranked before it.")
        start += count
    for name, values, low, high in (
        ("size", sizes, 1, 255),
        ("urgency", urgencies, 0, 3),
        ("carried_over", carried, 0, 1),
        ("days_waited", days, 0, 2**32 - 1),
        ("ticket", tickets, 1, 2**64 - 1),
    ):
        if values and (set(map(type, values)) != {int} or min(values) < low or max(values) > high):
            i, value = next((i, v) for i, v in enumerate(values, 1) if type(v) is not int or not low <= v <= high)
            raise Difference(f"pool row {i}: {name} {value!r} is not a whole number from {low} to {high}.")
    return ports, {
        "tickets": tickets,
        "sizes": sizes,
        "days": days,
        "urgencies": urgencies,
        "carried": carried,
        "groups": groups,
    }


def pool_hash(record: dict, pool: dict) -> str:
    """SHA-256 of the canonical pool bytes ("cita-pool 2", docs/allocation.md)."""
    header = f"cita-pool 2 {record['date']}\n" + "".join(f"{code} {count}\n" for code, count in pool["groups"]) + "\n"
    parts = [header.encode()]
    for typecode, values in (("Q", pool["tickets"]), ("B", pool["sizes"]), ("I", pool["days"])):
        column = array(typecode, values)
        if sys.byteorder != "little":
            column.byteswap()
        parts.append(column.tobytes())
    parts += [bytes(pool["urgencies"]), bytes(pool["carried"])]
    return hashlib.sha256(b"".join(parts)).hexdigest()


def draw_number(seed: bytes, date: str, code: str, k: int) -> int:
    """Draw k: SHA-256 of "seed|date|port code|k" read as one big-endian integer."""
    message = b"|".join([seed, date.encode(), code.encode(), str(k).encode()])
    return int.from_bytes(hashlib.sha256(message).digest(), "big")


def draw_port(record: dict, port: dict, pool: dict, lo: int, hi: int) -> tuple[list, list, list, dict]:
    """One port: its seats in the order given (ticket, share, window), lottery draws, carried over, counts."""
    policy, sizes, tickets = record["policy"], pool["sizes"], pool["tickets"]
    rule = FORMATS[record["format"]]
    capacity = port["capacity"] if port["windows"] else 0
    reserved_budget = capacity * policy["reserved_share"] // 100
    waiting_target = capacity * policy["waiting_share"] // 100
    taken: dict[int, str] = {}
    passed: list[int] = []
    left = capacity
    # 1. Reserved: urgency 1, 2, 3, then rank; each that fits the reserved seats left.
    vulnerable = sorted((pool["urgencies"][i], i) for i in range(lo, hi) if pool["urgencies"][i])
    for _urgency, i in vulnerable:
        if sizes[i] <= reserved_budget:
            taken[i] = RESERVED
            reserved_budget -= sizes[i]
            left -= sizes[i]
    # 2. Waiting time: carried over first (any free seat), then by rank until one does not fit.
    budget = reserved_budget + waiting_target
    for i in range(lo, hi):
        if pool["carried"][i] and i not in taken:
            if sizes[i] <= left:
                taken[i] = WAITING
                budget -= sizes[i]
                left -= sizes[i]
            else:
                passed.append(i)
    budget = max(0, min(budget, left))
    i = lo
    while budget > 0 and i < hi:
        if i not in taken and not pool["carried"][i]:
            if sizes[i] > budget:
                passed.append(i)
                break
            taken[i] = WAITING
            budget -= sizes[i]
            left -= sizes[i]
        i += 1
    # 3. Lottery: draw after draw until no seat is left or no waiting household fits.
    drawn = []
    n = hi - lo
    if n and left:
        seed = record["seed"].encode()
        waiting = Counter(sizes[lo:hi])
        waiting.subtract(sizes[j] for j in taken)
        cumulative = None
        if policy["weighting"] == "days_waited":
            cumulative = list(itertools.accumulate(d + 1 for d in pool["days"][lo:hi]))
        elif policy["weighting"] != "uniform":
            raise Difference(f"policy: unknown lottery weighting {policy['weighting']!r}.")
        k = 0
        while left > 0 and any(count > 0 and size <= left for size, count in waiting.items()):
            number = draw_number(seed, record["date"], port["code"], k)
            k += 1
            if cumulative is None:
                j = lo + number % n
            else:
                j = lo + bisect.bisect_right(cumulative, number % cumulative[-1])
            drawn.append(tickets[j])
            if j in taken:
                continue
            if sizes[j] > left:
                if rule == 1:
                    continue  # rule 1: passed over, the drawing goes on
                # Rule 2: it keeps its turn (carried over) and the drawing stops; the line fills
                # the seats still free, oldest first, each household not yet seated that fits.
                if j not in passed:
                    passed.append(j)
                i = lo
                while left > 0 and i < hi and any(count > 0 and size <= left for size, count in waiting.items()):
                    if i not in taken and sizes[i] <= left:
                        taken[i] = WAITING
                        waiting[sizes[i]] -= 1
                        left -= sizes[i]
                    i += 1
                break
            taken[j] = LOTTERY
            waiting[sizes[j]] -= 1
            left -= sizes[j]
    # Windows: largest first (ties in the order seated), each to the least-filled window, earliest on a tie.
    seated = list(taken)
    window_of = {}
    if seated:
        per_window = -(-capacity // len(port["windows"])) + max(sizes[j] for j in seated) - 1
        heap = [(0, w) for w in range(len(port["windows"]))]
        for j in sorted(seated, key=lambda j: -sizes[j]):
            fill, w = heapq.heappop(heap)
            if fill + sizes[j] > per_window:
                raise Difference(f"{port['code']}: ticket {tickets[j]} fits no window (the rules forbid this).")
            window_of[j] = w
            heapq.heappush(heap, (fill + sizes[j], w))
    seats = [[tickets[j], port["code"], taken[j], window_of[j]] for j in seated]
    people = {share: 0 for share in (RESERVED, WAITING, LOTTERY)}
    for j in seated:
        people[taken[j]] += sizes[j]
    total = sum(people.values())
    counts = {"households": len(seats), "people": total, **people, "empty": capacity - total}
    return seats, drawn, [tickets[j] for j in passed if j not in taken], counts


def verify(record: dict) -> str:
    """The MATCH line, or Difference naming the first thing that does not match."""
    if record.get("format") not in FORMATS:
        raise Difference(f"format {record.get('format')!r}: this verifier reads {', '.join(FORMATS)}.")
    if record["policy"].get("draw_rule", 1) != FORMATS[record["format"]]:
        rule = record["policy"].get("draw_rule")
        raise Difference(f"policy: draw rule {rule}, but the format is {record['format']}.")
    check_commitment(record)
    codes, pool = read_pool(record)
    found = pool_hash(record, pool)
    if found != record["pool_hash"]:
        raise Difference(f"pool: the rows hash to {found}, not the published pool hash {record['pool_hash']}.")
    ranges, start = {}, 0
    for code, count in pool["groups"]:
        ranges[code] = (start, start + count)
        start += count
    seats, carried = [], []
    outcome = record["outcome"]
    for port in record["ports"]:
        lo, hi = ranges.get(port["code"], (0, 0))
        port_seats, drawn, passed, counts = draw_port(record, port, pool, lo, hi)
        if drawn != outcome["lottery_draws"].get(port["code"], []):
            published = outcome["lottery_draws"].get(port["code"], [])
            k = next((k for k, (a, b) in enumerate(zip(drawn, published)) if a != b), min(len(drawn), len(published)))
            mine = drawn[k] if k < len(drawn) else "no draw"
            theirs = published[k] if k < len(published) else "no draw"
            raise Difference(
                f"lottery at {port['code']}, draw {k + 1}: the record says {theirs}, the draw gives {mine}."
            )
        for key, value in counts.items():
            if port["counts"].get(key) != value:
                raise Difference(f"counts at {port['code']}: {key} {port['counts'].get(key)}, the draw gives {value}.")
        seats += port_seats
        carried += passed
    published = outcome["seats"]["rows"]
    for n, (mine, theirs) in enumerate(zip(seats, published), 1):
        if mine != theirs:
            raise Difference(
                f"seat {n}: the record says {theirs}, the draw gives {mine} (ticket, port, share, window)."
            )
    if len(seats) != len(published):
        raise Difference(f"seats: the record lists {len(published)}, the draw gives {len(seats)}.")
    if carried != outcome["carried_over"]:
        raise Difference(f"carried over: the record says {outcome['carried_over']}, the draw gives {carried}.")
    note = f" Status: {record['status']}. {record['status_note']}".rstrip() if record.get("status_note") else ""
    beacon = record.get("beacon")
    if beacon:
        note += (
            f" The seed must be the randomness of {beacon['name']} round {beacon['round']}, named before the"
            f' cut-off: compare it with the "randomness" at {beacon["url"]}'
        )
    return (
        f"MATCH: {record['date']}, {len(pool['tickets']):,} households in the pool, {len(seats):,} seats, "
        f"pool hash {found}.{note}"
    )


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[0] + "\n\nUsage: python3 verify_draw.py URL_OR_FILE", file=sys.stderr)
        return 2
    try:
        record = load(argv[1])
    except OSError as error:  # no such file, no connection, HTTP 404 (the record is not out yet)
        print(f"Could not read {argv[1]}: {error}", file=sys.stderr)
        return 2
    except Difference as difference:
        print(f"DIFFERENCE: {difference}")
        return 1
    try:
        print(verify(record))
    except Difference as difference:
        print(f"DIFFERENCE: {difference}")
        return 1
    except (KeyError, TypeError, ValueError, IndexError) as error:
        print(f"DIFFERENCE: the record is not in the expected form ({type(error).__name__}: {error}).")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
