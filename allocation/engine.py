"""The allocation core: eligible pool + capacities + policy + seed in, seats out.

A pure function: no database, no clock, no global random. The same inputs and seed always give
the same seats, so anyone holding the recorded inputs and the revealed seed can repeat a draw.

The pool is kept as parallel columns (one position per household) rather than one object per
household, because a million Python objects cost more time than the whole draw.
"""

import calendar
import datetime as dt
import hashlib
import heapq
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import accumulate, compress

RESERVED, WAITING, LOTTERY = "reserved", "waiting", "lottery"
SHARES = (RESERVED, WAITING, LOTTERY)
UNIFORM, DAYS_WAITED = "uniform", "days_waited"
# The draw rule (docs/allocation.md, "The draw, exactly"); each run records the one it used.
# 1: a household drawn in the lottery that is larger than the seats left is passed over and the
#    drawing goes on (runs recorded before 2026-12-02 carry no rule and were drawn by it).
# 2: it keeps its turn: it is carried over to the port's next run and the drawing stops; the seats
#    still free go to the line, oldest registration first, each household that fits.
DRAW_RULES = (1, 2)
DRAW_RULE = 2


@dataclass(frozen=True)
class Policy:
    waiting_share: int
    lottery_share: int
    reserved_share: int
    weighting: str = UNIFORM
    draw_rule: int = DRAW_RULE


@dataclass(frozen=True)
class PortDay:
    """One port on the day: `key` as used in Pool.ports, capacity in people, number of windows."""

    key: int
    code: str
    capacity: int
    windows: int


@dataclass(frozen=True)
class Entry:
    """One household, for building small pools (tests, examples)."""

    ticket: int | str
    port: int
    size: int
    priority: int
    urgency: int = 0
    carried: bool = False


@dataclass
class Pool:
    """Eligible households as parallel columns in canonical order: by port, then priority.

    tickets label the households (the household's public ticket number); the draw never reads them.
    priority is the registration time in seconds since 1970 (UTC): lower has waited longer.
    urgency is the most urgent approved vulnerability (1 critical .. 3), 0 for none.
    carried is 1 for a household that did not fit when its turn came at the port's previous run.
    """

    tickets: Sequence[int | str]
    ports: Sequence[int]
    sizes: Sequence[int]
    priorities: Sequence[int]
    urgencies: Sequence[int]
    carried: Sequence[int]

    def __len__(self) -> int:
        return len(self.tickets)

    @classmethod
    def from_entries(cls, entries: list[Entry]) -> "Pool":
        """Columns in canonical order (port, priority, then the order given)."""
        ordered = sorted(entries, key=lambda e: (e.port, e.priority))
        return cls(
            tickets=[e.ticket for e in ordered],
            ports=[e.port for e in ordered],
            sizes=[e.size for e in ordered],
            priorities=[e.priority for e in ordered],
            urgencies=[e.urgency for e in ordered],
            carried=[int(e.carried) for e in ordered],
        )

    def port_range(self, key: int) -> tuple[int, int]:
        """Positions [lo, hi) of the port's households (the pool is grouped by port)."""
        return bisect_left(self.ports, key), bisect_right(self.ports, key)


@dataclass(frozen=True)
class Seat:
    index: int  # position in the pool
    port: int
    window: int
    share: str


@dataclass
class Result:
    seats: list[Seat] = field(default_factory=list)
    carried_over: list[int] = field(default_factory=list)
    # port key -> share -> people seated
    people: dict[int, dict[str, int]] = field(default_factory=dict)
    window_capacity: dict[int, int] = field(default_factory=dict)
    # port key -> household size -> households of that size in the port's pool
    pool_sizes: dict[int, Counter] = field(default_factory=dict)
    # port key -> pool position drawn by each lottery ticket, in draw order (seated or passed over)
    draws: dict[int, list[int]] = field(default_factory=dict)


def check_canonical(pool: Pool) -> None:
    """The pool must be grouped by port in ascending order, each port by priority; else ValueError."""
    columns = (pool.ports, pool.sizes, pool.priorities, pool.urgencies, pool.carried)
    if any(len(column) != len(pool.tickets) for column in columns):
        raise ValueError("pool columns differ in length")
    # Contiguous ranges, each holding only its own key, in ascending order and covering the whole
    # pool, prove the ports are sorted without comparing a million neighbours one by one.
    end, previous = 0, None
    while end < len(pool.ports):
        key = pool.ports[end]
        lo, hi = pool.port_range(key)
        grouped = lo == end < hi and pool.ports[lo:hi].count(key) == hi - lo
        if not grouped or (previous is not None and key <= previous):
            raise ValueError("pool is not sorted by port")
        previous = key
        part = pool.priorities[lo:hi]
        part = part.tolist() if hasattr(part, "tolist") else list(part)
        if part != sorted(part):
            raise ValueError(f"pool is not sorted by priority at port {key}")
        end = hi


def share_targets(capacity: int, policy: Policy) -> tuple[int, int]:
    """Seats aimed at the reserved and waiting-time shares (rounded down); the lottery gets the rest."""
    return capacity * policy.reserved_share // 100, capacity * policy.waiting_share // 100


def ticket(seed: bytes, date: dt.date, port_code: str, draw: int) -> int:
    """Lottery ticket number `draw`: SHA-256 of "seed|date|port|draw" read as a big-endian integer."""
    message = b"|".join([seed, date.isoformat().encode(), port_code.encode(), str(draw).encode()])
    return int.from_bytes(hashlib.sha256(message).digest(), "big")


def days_waited(priority: int, cutoff: int) -> int:
    """Lottery tickets of a household under days_waited weighting: whole days waited, at least one."""
    return max(1, (cutoff - priority) // 86400 + 1)


def allocate(pool: Pool, ports: list[PortDay], policy: Policy, seed: bytes | str, date: dt.date) -> Result:
    """Fill each port's capacity: reserved, then waiting time, then lottery; never split a household."""
    if isinstance(seed, str):
        seed = seed.encode()
    check_canonical(pool)
    result = Result()
    for port in sorted(ports, key=lambda p: p.key):
        lo, hi = pool.port_range(port.key)
        _allocate_port(pool, lo, hi, port, policy, seed, date, result)
    return result


def _allocate_port(
    pool: Pool, lo: int, hi: int, port: PortDay, policy: Policy, seed: bytes, date: dt.date, result: Result
) -> None:
    """One port: reserved, then carried over and oldest first, then lottery; then one window each."""
    sizes = pool.sizes
    carried_over: list[int] = []
    capacity = port.capacity if port.windows > 0 else 0
    reserved_target, waiting_target = share_targets(capacity, policy)
    taken: dict[int, str] = {}
    left = capacity
    result.pool_sizes[port.key] = Counter(sizes[lo:hi])
    if result.pool_sizes[port.key] and min(result.pool_sizes[port.key]) <= 0:
        raise ValueError("every household has at least one member")

    # 1. Reserved share: approved vulnerable households, most urgent first, then longest waiting.
    budget = reserved_target
    vulnerable = sorted(compress(range(lo, hi), pool.urgencies[lo:hi]), key=lambda i: (pool.urgencies[i], i))
    for i in vulnerable:
        if sizes[i] <= budget:
            taken[i] = RESERVED
            budget -= sizes[i]
            left -= sizes[i]

    # 2. Waiting-time share (with the reserved seats not used): households carried over from the
    # previous run first, using any seat left; then oldest first until the next one does not fit.
    budget += waiting_target
    for i in compress(range(lo, hi), pool.carried[lo:hi]):
        if i in taken:
            continue
        if sizes[i] <= left:
            taken[i] = WAITING
            budget -= sizes[i]
            left -= sizes[i]
        else:
            carried_over.append(i)
    budget = max(0, min(budget, left))
    i = lo
    while budget > 0 and i < hi:
        if i not in taken and not pool.carried[i]:
            if sizes[i] > budget:
                carried_over.append(i)
                break
            taken[i] = WAITING
            budget -= sizes[i]
            left -= sizes[i]
        i += 1

    # 3. Lottery share: every seat still free, drawn among households that fit.
    drawn = result.draws.setdefault(port.key, [])
    sizes_left = result.pool_sizes[port.key].copy()
    left, kept_turn = _draw_lottery(pool, lo, hi, port, policy, seed, date, taken, left, sizes_left, drawn)
    if kept_turn is not None:
        # Rule 2: the drawn household too large for the seats left keeps its turn; the line fills the rest.
        if kept_turn not in carried_over:
            carried_over.append(kept_turn)
        _fill_from_line(pool, lo, hi, taken, left, sizes_left)
    # A household passed over in the queue but then drawn in the lottery is not carried over.
    result.carried_over.extend(i for i in carried_over if i not in taken)

    _assign_windows(pool, port, capacity, taken, result)


def _draw_lottery(
    pool: Pool,
    lo: int,
    hi: int,
    port: PortDay,
    policy: Policy,
    seed: bytes,
    date: dt.date,
    taken: dict[int, str],
    left: int,
    waiting_by_size: Counter,
    drawn: list[int],
) -> tuple[int, int | None]:
    """Ticket by ticket, seat the household holding it unless already seated or too large for the seats left.

    Rule 1 passes over a household too large and draws on; rule 2 stops there and returns it (it
    keeps its turn). Every draw's household goes into `drawn`, seated or not: the published lottery
    order. Returns the seats left and the household that kept its turn (None if none did)."""
    if policy.draw_rule not in DRAW_RULES:
        raise ValueError(f"unknown draw rule {policy.draw_rule}")
    n = hi - lo
    if n == 0 or left == 0:
        return left, None
    sizes = pool.sizes
    for i in taken:
        waiting_by_size[sizes[i]] -= 1
    cumulative = None
    if policy.weighting == DAYS_WAITED:
        cutoff = calendar.timegm(date.timetuple())
        cumulative = list(accumulate(days_waited(p, cutoff) for p in pool.priorities[lo:hi]))
    draw = 0
    while left > 0 and any(count > 0 and size <= left for size, count in waiting_by_size.items()):
        number = ticket(seed, date, port.code, draw)
        draw += 1
        if cumulative is None:
            i = lo + number % n
        else:
            i = lo + bisect_right(cumulative, number % cumulative[-1])
        drawn.append(i)
        if i in taken:
            continue
        if sizes[i] > left:
            if policy.draw_rule >= 2:
                return left, i
            continue
        taken[i] = LOTTERY
        waiting_by_size[sizes[i]] -= 1
        left -= sizes[i]
    return left, None


def _fill_from_line(pool: Pool, lo: int, hi: int, taken: dict[int, str], left: int, waiting_by_size: Counter) -> None:
    """Rule 2, after a drawn household kept its turn: the seats still free go to the line, oldest
    registration first, each household not yet seated that fits (share `waiting`), until no seat
    is left or no waiting household fits. `waiting_by_size` counts the households not yet seated."""
    sizes = pool.sizes
    i = lo
    while left > 0 and i < hi and any(count > 0 and size <= left for size, count in waiting_by_size.items()):
        if i not in taken and sizes[i] <= left:
            taken[i] = WAITING
            waiting_by_size[sizes[i]] -= 1
            left -= sizes[i]
        i += 1


def _assign_windows(pool: Pool, port: PortDay, capacity: int, taken: dict[int, str], result: Result) -> None:
    """Largest households first, each into the least-filled window (earliest on a tie).

    Window capacity is the day's capacity spread evenly plus the largest seated household less one:
    enough that every household finds a window with room for all its members (see docs/allocation.md).
    """
    people = {share: 0 for share in SHARES}
    seated = list(taken)
    for i in seated:
        people[taken[i]] += pool.sizes[i]
    result.people[port.key] = people
    if not seated:
        result.window_capacity[port.key] = -(-capacity // port.windows) if port.windows else 0
        return
    per_window = -(-capacity // port.windows) + max(pool.sizes[i] for i in seated) - 1
    result.window_capacity[port.key] = per_window
    heap = [(0, w) for w in range(port.windows)]
    window_of: dict[int, int] = {}
    for i in sorted(seated, key=lambda i: -pool.sizes[i]):
        fill, w = heapq.heappop(heap)
        if fill + pool.sizes[i] > per_window:
            raise AssertionError("window capacity proof violated")
        window_of[i] = w
        heapq.heappush(heap, (fill + pool.sizes[i], w))
    result.seats.extend(Seat(i, port.key, window_of[i], taken[i]) for i in seated)
