"""How often the wait shown on the status page came true, kept and published from real draws.

Before each draw, `record_shown` keeps the range every waiting household's status page showed
(household id, earliest and latest draw date; nothing else). After the draw, `check_draw` looks
at the households offered a seat for the first time and counts, per port, how many had been
shown a range 30 days before that held the date. /statistics and the status page publish the
counts of the last 30 draws. The simulator (`manage.py simulate`) uses the same functions.
"""

import datetime as dt
import sys
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Exists, OuterRef
from django.utils import timezone

from allocation.models import AllocationRun, Appointment, ShownEstimates
from allocation.runs import policy_for
from allocation.waits import DRAW_FACTS, line_days
from shared.models import Port

HORIZON_DAYS = 30  # the published figure: the range shown this many days before the offer
PUBLISHED_DRAWS = 30  # over the draws of the last 30 days
KEPT_DAYS = 91  # the simulator also looks 90 days back
NO_LATEST = 0xFFFF
MAGIC = b"cita-shown 1\n"


@dataclass
class Shown:
    """The ranges shown before the draw of `date`, by household id (sorted), as day offsets from it."""

    date: dt.date
    ids: array
    earliest: array
    latest: array

    def range_for(self, household_id: int) -> tuple[dt.date, dt.date | None] | None:
        """The draw dates the household was told, earliest and latest (None: no latest), if it was waiting."""
        i = bisect_left(self.ids, household_id)
        if i == len(self.ids) or self.ids[i] != household_id:
            return None
        late = self.latest[i]
        return (
            self.date + dt.timedelta(days=self.earliest[i]),
            None if late == NO_LATEST else self.date + dt.timedelta(days=late),
        )

    def encode(self) -> bytes:
        columns = [self.ids, self.earliest, self.latest]
        if sys.byteorder == "big":
            columns = [array(c.typecode, c) for c in columns]
            for column in columns:
                column.byteswap()
        return zlib.compress(MAGIC + len(self.ids).to_bytes(4, "little") + b"".join(c.tobytes() for c in columns))

    @classmethod
    def decode(cls, date: dt.date, data: bytes) -> "Shown":
        raw = zlib.decompress(bytes(data))
        if not raw.startswith(MAGIC):
            raise ValueError("not a record of estimates shown")
        n = int.from_bytes(raw[len(MAGIC) : len(MAGIC) + 4], "little")
        at = len(MAGIC) + 4
        columns = []
        for typecode, width in (("I", 4), ("H", 2), ("H", 2)):
            column = array(typecode)
            column.frombytes(raw[at : at + n * width])
            if sys.byteorder == "big":
                column.byteswap()
            columns.append(column)
            at += n * width
        return cls(date, *columns)


def record_shown(date: dt.date) -> Shown:
    """Keep what every waiting household is shown on the eve of the draw of `date`; drop old records."""
    latest_run = (
        AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED).order_by("-pk").values_list("pk").first()
    )
    waiting_share = policy_for(timezone.localdate()).waiting_share
    ids, earliest, latest = line_days(latest_run[0] if latest_run else None, waiting_share)
    # Kept as offsets from the draw's date: day 1 of the estimate is this draw.
    top = NO_LATEST - 1
    order = sorted(range(len(ids)), key=ids.__getitem__)
    shown = Shown(
        date,
        array("I", map(ids.__getitem__, order)),
        array("H", [min(max(earliest[i], 1) - 1, top) for i in order]),
        array("H", [NO_LATEST if (late := latest[i]) is None else min(late - 1, top) for i in order]),
    )
    ShownEstimates.objects.update_or_create(date=date, defaults={"data": shown.encode(), "checked": {}})
    ShownEstimates.objects.filter(date__lt=date - dt.timedelta(days=KEPT_DAYS)).delete()
    return shown


def check_draw(run: AllocationRun, shown_before: Shown | None = None) -> dict[str, list[int]]:
    """After the draw: per port, households offered a seat for the first time that had been shown a
    range 30 days before, and how many of them were inside it. Stored beside that day's record."""
    if shown_before is None:
        row = ShownEstimates.objects.filter(date=run.date - dt.timedelta(days=HORIZON_DAYS)).first()
        shown_before = Shown.decode(row.date, bytes(row.data)) if row else None
    checked: dict[str, list[int]] = {}
    if shown_before is not None:
        earlier = Appointment.objects.filter(household=OuterRef("household"), date__lt=run.date)
        first_offers = (
            run.appointments.filter(~Exists(earlier))
            .exclude(status=Appointment.Status.HELD)
            .values_list("household_id", "port__code")
        )
        for household_id, code in first_offers:
            shown = shown_before.range_for(household_id)
            if shown is None:
                continue
            earliest, latest = shown
            counts = checked.setdefault(code, [0, 0])
            counts[0] += 1
            counts[1] += earliest <= run.date and (latest is None or run.date <= latest)
    ShownEstimates.objects.filter(date=run.date).update(checked=checked)
    return checked


@dataclass(frozen=True)
class PortAccuracy:
    port: str  # the port's name, or "" for all ports
    households: int
    inside: int

    @property
    def percent(self) -> float:
        return 100 * self.inside / self.households if self.households else 0.0


def published(today: dt.date) -> list[PortAccuracy]:
    """The last 30 days' draws: per port and in all (the last row), inside the range shown 30 days before."""
    return list(_published(today))


def _published(today: dt.date) -> Iterator[PortAccuracy]:
    since = today - dt.timedelta(days=PUBLISHED_DRAWS)
    totals: dict[str, list[int]] = {}
    for checked in ShownEstimates.objects.filter(date__gt=since, date__lte=today).values_list("checked", flat=True):
        for code, (households, inside) in checked.items():
            counts = totals.setdefault(code, [0, 0])
            counts[0] += households
            counts[1] += inside
    names = dict(Port.objects.values_list("code", "name"))
    for code in sorted(totals, key=lambda c: names.get(c, c)):
        yield PortAccuracy(names.get(code, code), *totals[code])
    yield PortAccuracy("", sum(c[0] for c in totals.values()), sum(c[1] for c in totals.values()))


MIN_HOUSEHOLDS = 20  # fewer first offers than this in 30 days: the status page states no figure


def for_port(port: Port) -> PortAccuracy | None:
    """The figure the status page states for the household's port, if there is enough to state one."""
    latest_run, _share = DRAW_FACTS.get()
    return _for_port(port.name, timezone.localdate(), latest_run)


@lru_cache(maxsize=16)
def _for_port(port_name: str, today: dt.date, latest_run: int | None) -> PortAccuracy | None:
    """Kept per process until the next draw or the next day: it changes once a day."""
    for row in published(today):
        if row.port == port_name and row.households >= MIN_HOUSEHOLDS:
            return row
    return None
