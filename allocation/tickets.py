"""A household's ticket number and its place in recent lotteries, for its own status page.

The ticket number is the household's id: it never changes, and it is how the published record
of every draw names the household (transparency.record), so a family can find its own row and
check its place before and after the record is out. Nobody else is told which number is whose.
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection

from allocation.models import AllocationRun, Appointment
from registrations.models import Household

RECENT = 3
# A held draw is not told to anyone until it is released; a voided one gave nobody anything.
SHOWN = [AllocationRun.Status.COMPLETED, AllocationRun.Status.RELEASED]
# "IN (%s, %s)" with a placeholder for each status in SHOWN, for fixed statements (here and the status page's).
SHOWN_IN = f"IN ({', '.join(['%s'] * len(SHOWN))})"
# The latest draws shown since a household registered. A fixed statement rather than a queryset: every
# family's first view after a draw reads it, and building its SQL cost more than running it (issue #18).
RECENT_SQL = (
    f"SELECT id, date FROM {AllocationRun._meta.db_table}"  # noqa: S608  (our own table's name)
    f" WHERE status {SHOWN_IN} AND started_at > %s ORDER BY date DESC LIMIT %s"
)


@dataclass(frozen=True)
class LotteryPlace:
    date: object
    port: str
    draws: int  # lottery draws made at the port
    position: int | None  # the first draw that hit the household's ticket, 1-based; None if none did
    share: str  # the share that seated the household in this draw, "" if none


@lru_cache(maxsize=32)
def _positions(run_pk: int) -> dict[str, tuple[int, dict[int, int]]]:
    """Port code -> (draws made, ticket -> first draw hitting it). A recorded run never changes."""
    lottery = AllocationRun.objects.filter(pk=run_pk).values_list("lottery", flat=True).first() or {}
    places = {}
    for code, tickets in lottery.items():
        first: dict[int, int] = {}
        for position, ticket in enumerate(tickets, start=1):
            first.setdefault(ticket, position)
        places[code] = (len(tickets), first)
    return places


def lottery_places(household: Household, appointments: list[Appointment]) -> list[LotteryPlace]:
    """The household's place in the lottery at its port in the latest draws since it registered.
    Takes all the household's appointments (the status page reads them anyway): the shares that seated it
    are those of the appointments drawn for it, not the ones freed by others and passed on to it."""
    runs = _recent_runs(household)
    run_ids = {pk for pk, _ in runs}
    shares = {a.run_id: a.share for a in appointments if a.freed_from_id is None and a.run_id in run_ids}
    code = household.preferred_port.code
    places = []
    for pk, date in runs:
        draws, first = _positions(pk).get(code, (0, {}))
        places.append(
            LotteryPlace(date, household.preferred_port.name, draws, first.get(household.pk), shares.get(pk, ""))
        )
    return places


def _recent_runs(household: Household) -> list[tuple[int, dt.date]]:
    """(id, date) of the latest draws shown since the household registered, latest first."""
    registered = connection.ops.adapt_datetimefield_value(household.registered_at)
    with connection.cursor() as cursor:
        cursor.execute(RECENT_SQL, [*SHOWN, registered, RECENT])
        rows = cursor.fetchall()
    return [(pk, day if isinstance(day, dt.date) else dt.date.fromisoformat(day)) for pk, day in rows]
