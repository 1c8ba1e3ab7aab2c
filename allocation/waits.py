"""Expected wait: a household's place in its port's waiting-time queue and a range of days.

The range, in days from the next draw (see docs/allocation.md, "Expected wait"), comes from how
fast the port's line has really moved over the last runs:
- earliest: every seat the port filled goes to the people ahead, less the seats taken by
  households that came back (an offer not confirmed, a missed appointment, a cancellation);
- latest: only the waiting-time share moves the line, less the same comeback seats;
- plus the daily chance of being drawn in the lottery before that.
The simulator (`manage.py simulate`) measures how often the real day falls inside the range.
"""

import datetime as dt
import logging
import math
import os
import threading
import time
from bisect import bisect_left
from dataclasses import dataclass
from functools import cached_property, lru_cache

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.db.models import CharField, Count, Func, Max, Q, Sum
from django.utils import timezone

from allocation.models import AllocationRun, Appointment
from allocation.runs import policy_for
from registrations.models import Household
from shared.models import Port

RECENT_RUNS = 7
# Appointments that ended without the household coming: it is back in line with its old place.
CAME_BACK = [Appointment.Status.EXPIRED, Appointment.Status.MISSED, Appointment.Status.CANCELLED]


@dataclass(frozen=True)
class WaitEstimate:
    position: int  # 1 = next in line at the port
    people_ahead: int
    earliest_days: int
    latest_days: int | None  # None when the line does not move by waiting time
    lottery_chance: float  # chance of being drawn on a given day, 0 to 1


# The range starts no later than the draw by which 2 households in 100 in the same place would
# have been drawn in the lottery. Smaller: ranges wider than they must be; larger: at 200,000
# waiting (a daily chance near 0.1 %) most lottery winners fall before their range.
LOTTERY_EARLY_SHARE = 0.02


def lottery_day(chance: float) -> int | None:
    """The draw (1 = the next) by which a household with this daily chance has been drawn in the
    lottery with probability LOTTERY_EARLY_SHARE; None when the lottery draws nobody here."""
    if chance <= 0:
        return None
    if chance >= 1:
        return 1
    return max(1, math.ceil(math.log(1 - LOTTERY_EARLY_SHARE) / math.log(1 - chance)))


@dataclass(frozen=True)
class QueueSpeed:
    """People a day leaving the port's line ahead of a household: at best, at worst; and each
    household's daily chance of being drawn in the lottery."""

    fastest: float
    slowest: float
    lottery_chance: float

    @cached_property
    def first_lottery_day(self) -> int | None:
        return lottery_day(self.lottery_chance)

    def days(self, needed: int) -> tuple[int, int | None]:
        """Earliest and latest day (1 = the next draw) the household is likely to be seated, `needed`
        being the people ahead and itself. Earliest: the line at its fastest pace, or the lottery if
        it may well come sooner. Latest: the line at its slowest pace; none when the line does not
        move by waiting time."""
        earliest = math.ceil(needed / self.fastest) if self.fastest > 0 else 0
        lottery = self.first_lottery_day
        if lottery is not None:
            earliest = min(earliest, lottery)
        latest = math.ceil(needed / self.slowest) if self.slowest > 0 else None
        return earliest, latest


def estimate_wait(households_ahead: int, people_ahead: int, size: int, speed: QueueSpeed) -> WaitEstimate:
    """Days until the line reaches the household, at the fastest and the slowest pace seen."""
    earliest, latest = speed.days(people_ahead + size)
    return WaitEstimate(households_ahead + 1, people_ahead, earliest, latest, speed.lottery_chance)


def speed_from(
    capacity: int, waiting_share: int, seated: list[dict], came_back: float, lottery_chance: float
) -> QueueSpeed:
    """The line's pace from the port's recent runs (people by share, per run) and the share of
    seated people who came back. Before any run: all seats at best, the waiting share at worst.

    Recent runs are scaled to today's capacity, so a capacity change counts from the next day."""
    if not seated:
        return QueueSpeed(float(capacity), capacity * waiting_share / 100, 0.0)
    runs = len(seated)
    recent_capacity = sum(row["capacity"] for row in seated) / runs
    scale = capacity / recent_capacity if recent_capacity else 1.0
    people = scale * sum(row["people"] for row in seated) / runs
    by_waiting = scale * sum(row["waiting"] for row in seated) / runs
    comebacks = came_back * people
    fastest = max(people - comebacks, 0.0)
    slowest = max(by_waiting - comebacks, 0.0)
    return QueueSpeed(fastest, min(slowest, fastest), lottery_chance)


class DrawFacts:
    """The latest recorded run and the waiting-time share in force, re-read at most every minute per
    process: they change once a day, and the status page is the busiest page of all."""

    def __init__(self, max_age_seconds: float = 60) -> None:
        self.max_age = max_age_seconds
        self.read_at = -math.inf
        self.latest_run: int | None = None
        self.waiting_share = 0

    def get(self) -> tuple[int | None, int]:
        if time.monotonic() - self.read_at > self.max_age:
            done = AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED)
            self.latest_run = done.aggregate(pk=Max("pk"))["pk"]
            self.waiting_share = policy_for(timezone.localdate()).waiting_share
            self.read_at = time.monotonic()
        return self.latest_run, self.waiting_share


DRAW_FACTS = DrawFacts()


def queue_speed(port: Port, latest_run: int | None, waiting_share: int) -> QueueSpeed:
    """The port's pace, kept per process until a new run is recorded: the status page must not
    decode seven run summaries on every view."""
    return _queue_speed(port.pk, port.code, port.daily_capacity, latest_run, waiting_share)


@lru_cache(maxsize=64)
def _queue_speed(port_id: int, code: str, capacity: int, latest_run: int | None, waiting_share: int) -> QueueSpeed:
    recent = list(
        AllocationRun.objects.exclude(status=AllocationRun.Status.COMMITTED)
        .order_by("-date")
        .values_list("summary", "statistics")[:RECENT_RUNS]
    )
    seated = [summary["ports"][code] for summary, _ in recent if code in summary.get("ports", {})]
    chance = 0.0
    for row in recent[0][1].get("by_port", []) if recent else []:
        if row["group"] == code and row["pool"]:
            chance = row["selected"] / row["pool"]
    return speed_from(capacity, waiting_share, seated, came_back_share(port_id), chance)


def came_back_share(port_id: int) -> float:
    """Of the people offered seats at the port in the last week whose offer has run its course
    (the confirmation time and a day more have passed), the share who came back into the line."""
    settled = timezone.now() - dt.timedelta(hours=settings.OFFER_CONFIRM_HOURS + 24)
    offers = Appointment.objects.filter(
        port_id=port_id, created_at__lte=settled, created_at__gt=settled - dt.timedelta(days=RECENT_RUNS)
    ).aggregate(all=Sum("people"), back=Sum("people", filter=Q(status__in=CAME_BACK)))
    return (offers["back"] or 0) / offers["all"] if offers["all"] else 0.0


# The cached counts are per ten minutes of registration (UTC), keyed by "YYYY-MM-DD HH:M0" so that text order
# is time order, and, for what was registered since the last full build, per minute ("YYYY-MM-DD HH:MM", the same
# order): only the stretch after the last cached boundary is counted live.
BUCKET_MINUTES = 10
NOTHING_CACHED = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)  # before the first build: count from the start
TOP_UP_SECONDS = 60  # the minutes registered since the last count are added at most this often


class TenMinutes(Func):
    """A registration time as its ten-minute bucket key, with the database's own text functions:
    SQLite keeps times as UTC text, and a Python function per row (TruncDate) cost seconds."""

    template = "substr(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'), 1, 15) || '0'"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 15) || '0'", **extra)


class Minute(Func):
    """A registration time as its minute's key, as TenMinutes makes the ten minutes' key."""

    template = "to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return super().as_sql(compiler, connection, template="substr(%(expressions)s, 1, 16)", **extra)


def bucket_key(moment: dt.datetime) -> str:
    utc = moment.astimezone(dt.UTC)
    return f"{utc:%Y-%m-%d %H:}{utc.minute // BUCKET_MINUTES}0"


def minute_key(moment: dt.datetime) -> str:
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M}"


def bucket_start(key: str) -> dt.datetime:
    return dt.datetime.strptime(key, "%Y-%m-%d %H:%M").replace(tzinfo=dt.UTC)


logger = logging.getLogger(__name__)

# Per port: bucket keys in time order, and the households and people in all buckets before each key (one more
# entry than keys: the last is the total).
PortCounts = tuple[list[str], list[int], list[int]]


@dataclass(frozen=True)
class Counts:
    """One build of the counts, replaced whole, so that a view reads the keys and the boundaries of one build."""

    by_port: dict[int, PortCounts]
    complete_before: str = ""  # bucket key: every bucket before it was complete when counted
    minutes_from: str = ""  # bucket key: from here on the buckets are single minutes (added since the full build)


class QueueDays:
    """Waiting households and people per port and ten minutes of registration, rebuilt at most every
    half hour per process, in the background: one grouped scan, not a count of the queue per view.
    Counts change only when someone ahead leaves (a draw, a cancellation; new registrations always
    come last), so a half-hour-old count moves a position by a few places at most. Between rebuilds the
    minutes registered since are added each minute (a scan of those minutes alone), so a view counts live
    only the households of its own bucket before it: at most a minute of registrations, or ten minutes for
    a household registered before the last rebuild. Without that, a family's first view after a
    registration rush counted everyone registered since the rebuild, up to 40 minutes of the rush."""

    def __init__(self, max_age_seconds: float = 1800, first_build_in_background: bool = True) -> None:
        self.max_age = max_age_seconds
        # The first build too runs in a thread (started when a worker starts, config/wsgi.py): until it is
        # done, views count the whole line live (tens of milliseconds on 1,000,000 households, where the
        # build takes seconds). The flag also puts each minute's addition in a thread. The tests build and
        # add minutes in the foreground: a thread cannot see a test's transaction (a stale cache's rebuild
        # is always in a thread: no view waits for a whole scan).
        self.first_build_in_background = first_build_in_background
        self.built_at = -math.inf
        self.topped_up_at = -math.inf
        self.counts = Counts(by_port={})
        self.lock, self.refreshing = threading.Lock(), False

    @property
    def complete_before(self) -> str:
        return self.counts.complete_before

    def before(self, port_id: int, registered: dt.datetime) -> tuple[int, int, dt.datetime]:
        """Households and people waiting at the port from the cache, and from when to count live."""
        if self.built_at == -math.inf:
            if self.first_build_in_background:
                self.refresh_in_background()
                return 0, 0, NOTHING_CACHED
            self.rebuild()
        elif time.monotonic() - self.built_at > self.max_age:
            self.refresh_in_background()
        elif time.monotonic() - self.topped_up_at > TOP_UP_SECONDS:
            self.add_minutes_in_background()
        counts = self.counts
        own = minute_key(registered)
        if own < counts.minutes_from:
            own = bucket_key(registered)
        cut = min(own, counts.complete_before)
        keys, households, people = counts.by_port.get(port_id, ([], [0], [0]))
        i = bisect_left(keys, cut)
        return households[i], people[i], bucket_start(cut)

    def refresh_in_background(self) -> None:
        """Rebuild in a thread while views keep using the last counts: a rebuild is a scan of the whole
        queue (seconds on SQLite with a big queue), and no view should wait for it."""
        self._in_background(self.rebuild)

    def add_minutes_in_background(self) -> None:
        if self.first_build_in_background:
            self._in_background(self.add_minutes)
        else:
            self.add_minutes()

    def _in_background(self, work) -> None:
        with self.lock:
            if self.refreshing:
                return
            self.refreshing = True
        threading.Thread(target=self._refresh, args=(work,), name="queue-days", daemon=True).start()

    def build_before_serving(self) -> None:
        """Builds now, as the web server starts (config/wsgi.py: in gunicorn's master with --preload, so every
        worker is forked with the counts; else in each worker before it serves), and closes this process's
        connections, which must not cross a fork. If the database cannot be read yet, views count live and
        the first of them starts a build in the background."""
        try:
            self.rebuild()
        except DatabaseError:
            logger.warning("queue counts not built at start: views count live until a build succeeds", exc_info=True)
        finally:
            connections.close_all()

    def start_forked_worker(self) -> None:
        """In a process forked from one whose thread was building (gunicorn --preload): no thread here. Counts
        inherited from a master that built them long ago are dropped: this worker builds its own."""
        self.lock, self.refreshing = threading.Lock(), False
        if time.monotonic() - self.built_at > self.max_age:
            self.built_at, self.counts = -math.inf, Counts(by_port={})

    def _refresh(self, work) -> None:
        try:
            work()
        finally:
            self.refreshing = False
            connection.close()  # this thread's own connection

    def rebuild(self) -> None:
        # A registration stamped just before a boundary may commit just after it: leave a minute.
        complete_before = bucket_key(timezone.now() - dt.timedelta(minutes=1))
        rows = (
            Household.objects.waiting()
            .filter(registered_at__lt=bucket_start(complete_before))  # complete buckets only
            .annotate(bucket=TenMinutes("registered_at"))
            .values_list("preferred_port_id", "bucket")
            .annotate(households=Count("pk"), people=Sum("size"))
            .order_by("preferred_port_id", "bucket")
        )
        by_port: dict[int, PortCounts] = {}
        _add(by_port, rows)
        self.counts = Counts(by_port, complete_before, minutes_from=complete_before)
        self.built_at = self.topped_up_at = time.monotonic()

    def add_minutes(self) -> None:
        """Adds the minutes registered since the counts were last complete, one bucket each: a scan of those
        minutes alone, port by port on the queue's index."""
        counts = self.counts
        complete_before = minute_key(timezone.now() - dt.timedelta(minutes=1))  # a minute left, as in rebuild()
        self.topped_up_at = time.monotonic()
        if complete_before <= counts.complete_before:
            return
        ports = list(Port.objects.values_list("pk", flat=True))  # one range of the queue's index per port
        rows = (
            Household.objects.waiting()
            .filter(
                preferred_port_id__in=ports,
                registered_at__gte=bucket_start(counts.complete_before),
                registered_at__lt=bucket_start(complete_before),
            )
            .annotate(bucket=Minute("registered_at"))
            .values_list("preferred_port_id", "bucket")
            .annotate(households=Count("pk"), people=Sum("size"))
            .order_by("preferred_port_id", "bucket")
        )
        by_port = {
            port: (keys[:], households[:], people[:]) for port, (keys, households, people) in counts.by_port.items()
        }
        _add(by_port, rows)
        self.counts = Counts(by_port, complete_before, counts.minutes_from)


def _add(by_port: dict[int, PortCounts], rows) -> None:
    """Appends buckets, in time order per port, each after every bucket already there."""
    for port_id, bucket, households, people in rows:
        keys, total_households, total_people = by_port.setdefault(port_id, ([], [0], [0]))
        keys.append(bucket)
        total_households.append(total_households[-1] + households)
        total_people.append(total_people[-1] + (people or 0))


QUEUE_DAYS = QueueDays()
os.register_at_fork(after_in_child=QUEUE_DAYS.start_forked_worker)


# Written out: after a draw every family's first view counts the households ahead of it, and building this
# aggregate through the ORM cost more than running it. Names are the model's; the values are parameters.
AHEAD_SQL = (
    f"SELECT COUNT(*), COALESCE(SUM(size), 0) FROM {Household._meta.db_table}"  # noqa: S608
    " WHERE status = %s AND preferred_port_id = %s AND registered_at >= %s AND registered_at <= %s"
    " AND (registered_at < %s OR id < %s)"
)


def households_ahead(household: Household, queue: QueueDays = QUEUE_DAYS) -> tuple[int, int]:
    """Households and people ahead at the port: the cached counts, then at most ten minutes (or the
    time since the rebuild) counted exactly, on the (status, port, registered_at) index: registered
    before, or at the same moment with a lower id."""
    registered = household.registered_at
    cached_households, cached_people, since = queue.before(household.preferred_port_id, registered)
    adapt = connection.ops.adapt_datetimefield_value
    since_at, registered_at = adapt(since), adapt(registered)
    params = (Household.Status.WAITING.value, household.preferred_port_id, since_at, registered_at, registered_at)
    with connection.cursor() as cursor:
        cursor.execute(AHEAD_SQL, (*params, household.pk))
        live_households, live_people = cursor.fetchone()
    return cached_households + live_households, cached_people + live_people


def line_days(latest_run: int | None, waiting_share: int) -> tuple[list[int], list[int], list[int | None]]:
    """Every waiting household's id with the earliest and latest day its status page shows, in one
    pass over the line in its order: households_ahead's count (registered before, the lower id first
    on a tie), walked for all at once. Used to keep what every page showed before each draw."""
    ports = {port.pk: port for port in Port.objects.all()}
    rows = (
        Household.objects.waiting()
        .order_by("preferred_port_id", "registered_at", "pk")
        .values_list("pk", "preferred_port_id", "size")
    )
    ids: list[int] = []
    earliest: list[int] = []
    latest: list[int | None] = []
    current, needed, days = None, 0, QueueSpeed(0.0, 0.0, 0.0).days
    for pk, port_id, size in rows.iterator(chunk_size=20_000):
        if port_id != current:
            current, needed = port_id, 0
            days = queue_speed(ports[port_id], latest_run, waiting_share).days
        needed += size
        low, high = days(needed)
        ids.append(pk)
        earliest.append(low)
        latest.append(high)
    return ids, earliest, latest


def wait_for(household: Household) -> WaitEstimate | None:
    """The estimate for a waiting household (None once it has an appointment or is closed)."""
    if household.status != Household.Status.WAITING:
        return None
    ahead_households, ahead_people = households_ahead(household)
    latest_run, waiting_share = DRAW_FACTS.get()
    speed = queue_speed(household.preferred_port, latest_run, waiting_share)
    return estimate_wait(ahead_households, ahead_people, household.size, speed)
