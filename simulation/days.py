"""One simulated run: the days, what happens in each, and what is recorded.

Each simulated day: new households arrive, some leave, operators approve vulnerable cases and
change ports or the policy as the scenario says; unconfirmed offers expire, households come to
their appointments (or not); the status page's estimate is recorded for every waiting household;
then `allocate_date` draws, and offered households confirm, add a person, or let the offer lapse.
Everything goes through the same functions the site and the commands use. Only the clock is
simulated: `django.utils.timezone.now` answers the simulated time while a run is going on.

What the status page showed is kept as the site keeps it (allocation.accuracy), and the last 90
days of it in memory, so the day a household is offered a seat can be compared with the range it
was shown 7, 30 and 90 days earlier. See docs/allocation.md, "How accurate the wait is".
"""

import contextlib
import datetime as dt
import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F
from django.utils import timezone

from allocation import accuracy, appointments, runs
from allocation.models import AllocationPolicy, AllocationRun, Appointment, CapacityOverride
from allocation.synthetic import generate_households
from housekeeping.retention import erase_household
from letters import checkin
from registrations import vulnerability
from registrations.models import Household, VulnerabilityRequest
from shared.models import Port

SCENARIOS = Path(__file__).with_name("scenarios")
HORIZONS = (7, 30, 90)
LEAD_DAYS = 2  # a draw on day t seats households for day t + 2: two days to confirm and travel


@dataclass(frozen=True)
class Scenario:
    """One situation to simulate, read from a JSON file in simulation/scenarios/."""

    name: str
    description: str = ""
    days: int = 180
    waiting_at_start: int = 20_000
    registered_over_days: int = 270
    arrivals_per_day: int = 400
    capacity_scale: float = 1.0  # every port's daily capacity times this (small runs, tests)
    # Extra arrivals after an announcement: [{"day": 20, "days": 5, "factor": 4}]
    surges: tuple[dict, ...] = ()
    confirm_rate: float = 0.9
    no_show_rate: float = 0.05
    withdraw_rate: float = 0.0005  # share of waiting households that give up each day
    grow_rate: float = 0.02  # share of offered households in which a person joins
    vulnerable_per_day: int = 2  # requests approved by operators each day
    # [{"day": 40, "port": "san-ysidro"}]: closed on that day's appointments, after they were offered
    closures: tuple[dict, ...] = ()
    # [{"day": 90, "port": "el-paso", "capacity": 200}]
    capacity_changes: tuple[dict, ...] = ()
    # [{"day": 120, "waiting_share": 50, "lottery_share": 40, "reserved_share": 10, "weighting": "uniform"}]
    policy_changes: tuple[dict, ...] = ()

    @classmethod
    def load(cls, name_or_path: str) -> "Scenario":
        path = Path(name_or_path)
        if not path.exists():
            path = SCENARIOS / f"{name_or_path}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        listed = ("surges", "closures", "capacity_changes", "policy_changes")
        values: dict[str, Any] = {k: tuple(v) if k in listed else v for k, v in data.items()}
        return cls(**values)

    def arrivals(self, day: int) -> int:
        factor = 1.0
        for surge in self.surges:
            if surge["day"] <= day < surge["day"] + surge.get("days", 1):
                factor *= surge["factor"]
        return round(self.arrivals_per_day * factor)


@dataclass
class Seated:
    """A household's first offer in the simulation, and what it was shown before."""

    household: int
    day: int
    port: str
    size: int
    share: str
    nationality: str
    registered_week: int  # weeks from the start of the simulation (negative: registered before)
    wait_days: int
    # horizon -> (earliest day, latest day or None) shown that many days before the offer
    shown: dict[int, tuple[int, int | None]] = field(default_factory=dict)


@dataclass
class Record:
    """What a run produced: first offers, re-seat times after Cita moved a family, and daily counts."""

    scenario: Scenario
    seed: int
    seated: list[Seated] = field(default_factory=list)
    reseated_after_move: list[int] = field(default_factory=list)  # days from Cita's cancellation to the new offer
    still_moved: int = 0  # moved by Cita and not offered again by the end
    still_waiting: int = 0
    held_runs: int = 0  # draws held for review, released by the simulated operator
    # What the site itself publishes (allocation.accuracy.check_draw): first offers checked, inside
    checked_30: list[int] = field(default_factory=lambda: [0, 0])
    waiting_by_day: list[int] = field(default_factory=list)
    seconds: float = 0.0  # wall time
    cpu_seconds: float = 0.0  # this process's CPU time: the fair figure on a shared machine


class Clock:
    """The simulated time, answered by django.utils.timezone.now while `running` is active."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    @contextlib.contextmanager
    def running(self) -> Iterator["Clock"]:
        real = timezone.now
        timezone.now = lambda: self.now
        try:
            yield self
        finally:
            timezone.now = real


class Simulation:
    def __init__(
        self,
        scenario: Scenario,
        seed: int = 1,
        start: dt.date = dt.date(2027, 1, 4),
        progress: Callable[[int, int], None] = lambda day, days: None,
    ) -> None:
        self.scenario, self.seed, self.start, self.progress = scenario, seed, start, progress
        self.rng = random.Random(seed)  # noqa: S311 - a repeatable simulation, not a secret
        self.clock = Clock(self.at(0, 6))
        self.record = Record(scenario, seed)
        self.nationality: dict[int, str] = {}
        self.shown: dict[int, accuracy.Shown] = {}  # day -> the ranges shown that morning
        self.first_offer: set[int] = set()
        self.moved: dict[int, int] = {}  # household id -> day Cita cancelled its appointment
        self.ports = {p.pk: p for p in Port.objects.all()}
        self.officer, _ = get_user_model().objects.get_or_create(username="simulated-officer")
        self.codes = {p.code: p.pk for p in self.ports.values()}

    def at(self, day: int, hour: int) -> dt.datetime:
        return dt.datetime.combine(self.start + dt.timedelta(days=day), dt.time(hour), tzinfo=dt.UTC)

    def run(self) -> Record:
        with self.clock.running():
            for port in self.ports.values():
                port.daily_capacity = max(1, round(port.daily_capacity * self.scenario.capacity_scale))
                port.save(update_fields=["daily_capacity"])
            self._arrive(self.scenario.waiting_at_start, self.scenario.registered_over_days)
            for day in range(self.scenario.days):
                self.day(day)
                self.progress(day + 1, self.scenario.days)
        self.record.still_waiting = Household.objects.filter(status=Household.Status.WAITING).count()
        self.record.still_moved = len(self.moved)
        return self.record

    def day(self, t: int) -> None:
        """One day: the morning's changes, the status pages seen, the evening's draw and its offers."""
        self.clock.now = self.at(t, 6)
        self._arrive(self.scenario.arrivals(t), 1)
        waiting = self._waiting_ids()
        self._withdraw(waiting)
        self._approve_vulnerable(waiting)
        self._operator_changes(t)
        appointments.expire_offers(self.clock.now)
        self._come_to_appointments(t)
        self._record_estimates(t)
        self.clock.now = self.at(t, 18)
        date = self._draw_date(t)
        runs.commit_seed(date, f"simulation-{self.seed}-{t}")
        run = runs.allocate_date(date).run
        if run is None:
            raise RuntimeError(f"no run recorded for {date}")
        if run.status == AllocationRun.Status.HELD:
            # An operator looks at the skewed lottery and releases it (small pools skew by chance).
            runs.release_run(run)
            self.record.held_runs += 1
        for counts in accuracy.check_draw(run, self.shown.get(t - accuracy.HORIZON_DAYS)).values():
            self.record.checked_30[0] += counts[0]
            self.record.checked_30[1] += counts[1]
        self._answer_offers(t, date)

    # The morning

    def _arrive(self, count: int, over_days: int) -> None:
        if count <= 0:
            return
        written: list[tuple] = []
        generate_households(
            count, seed=self.rng.randrange(2**32), days=over_days, now=self.clock.now, written=written.extend
        )
        ids = dict(Household.objects.filter(reference__in=[r[0] for r in written]).values_list("reference", "pk"))
        for row in written:
            self.nationality[ids[row[0]]] = row[8]

    def _withdraw(self, waiting: list[int]) -> None:
        """Some households give up; they leave `waiting` too (read once a morning: 200,000 ids)."""
        gone = set(self._pick(waiting, self.scenario.withdraw_rate))
        for household in Household.objects.filter(pk__in=gone):
            erase_household(household)
        waiting[:] = [pk for pk in waiting if pk not in gone]

    def _approve_vulnerable(self, waiting: list[int]) -> None:
        chosen = self.rng.sample(waiting, min(self.scenario.vulnerable_per_day, len(waiting)))
        for pk in chosen:
            request = VulnerabilityRequest.objects.create(
                household_id=pk,
                category=VulnerabilityRequest.Category.MEDICAL_EMERGENCY,
                description="simulated",
                urgency=self.rng.choice(VulnerabilityRequest.Urgency.values),
            )
            vulnerability.decide(request, True, "simulated", self.officer)

    def _waiting_ids(self) -> list[int]:
        waiting = Household.objects.filter(status=Household.Status.WAITING).order_by("pk")
        return list(waiting.values_list("pk", flat=True))

    def _pick(self, ids: list[int], rate: float) -> list[int]:
        """Each with chance `rate`: the expected number, rounded at random so small rates still happen."""
        expected = len(ids) * rate
        count = int(expected) + (self.rng.random() < expected - int(expected))
        return self.rng.sample(ids, count)

    def _operator_changes(self, t: int) -> None:
        date = self.start + dt.timedelta(days=t + LEAD_DAYS)
        for change in self.scenario.capacity_changes:
            if change["day"] == t:
                Port.objects.filter(code=change["port"]).update(daily_capacity=change["capacity"])
        for change in self.scenario.policy_changes:
            if change["day"] == t:
                latest = AllocationPolicy.objects.order_by("-version")[0]
                AllocationPolicy.objects.create(
                    version=latest.version + 1,
                    waiting_share=change["waiting_share"],
                    lottery_share=change["lottery_share"],
                    reserved_share=change["reserved_share"],
                    lottery_weighting=change.get("weighting", latest.lottery_weighting),
                    effective_from=date,
                )
        for closure in self.scenario.closures:
            if closure["day"] == t:
                self._close_port(closure["port"], self.start + dt.timedelta(days=t + 1))

    def _close_port(self, code: str, date: dt.date) -> None:
        """The port cannot open on a day already drawn: its households lose that date through no fault of theirs."""
        port = self.ports[self.codes[code]]
        CapacityOverride.objects.update_or_create(port=port, date=date, defaults={"capacity": 0, "reason": "closed"})
        hit = Appointment.objects.filter(port=port, date=date, status__in=Appointment.LIVE)
        for appointment in hit:
            runs.end_appointment(appointment, Appointment.Status.CANCELLED, Appointment.CancelReason.PORT_CLOSED)
            self.moved[appointment.household_id] = self._day_of(self.clock.now)

    def _come_to_appointments(self, t: int) -> None:
        """Today's confirmed households come and an officer checks them in, or they do not come."""
        today = self.start + dt.timedelta(days=t)
        due = Appointment.objects.filter(date=today, status=Appointment.Status.CONFIRMED)
        due = due.select_related("port", "household")  # the audit row names the household
        for appointment in due:
            if self.rng.random() >= self.scenario.no_show_rate:
                checkin.check_in(appointment, appointment.port, self.officer, now=appointment.window_start)
        # The next morning, whoever did not come has missed the appointment and is back in line.
        appointments.mark_missed(self.at(t + 1, 0))

    def _record_estimates(self, t: int) -> None:
        """What each waiting household's status page shows this morning, kept as the site keeps it."""
        shown = accuracy.record_shown(self._draw_date(t))
        self.shown[t] = shown
        self.shown.pop(t - max(HORIZONS) - 1, None)
        self.record.waiting_by_day.append(len(shown.ids))

    def _draw_date(self, t: int) -> dt.date:
        return self.start + dt.timedelta(days=t + LEAD_DAYS)

    def _today(self, t: int) -> dt.date:
        return self.start + dt.timedelta(days=t)

    def _draw_day(self, date: dt.date) -> int:
        return (date - self.start).days - LEAD_DAYS

    def _day_of(self, moment: dt.datetime) -> int:
        return (moment.date() - self.start).days

    # The evening

    def _answer_offers(self, t: int, date: dt.date) -> None:
        """Each offer for the date is confirmed, grows, or is left to lapse; seats a grown family frees
        are offered again at once to the next in line (allocation.appointments), and answered too."""
        answered: set[int] = set()
        while True:
            offered = (
                Appointment.objects.filter(date=date, status=Appointment.Status.OFFERED)
                .exclude(pk__in=answered)
                .select_related("household", "port")
                .order_by("pk")
            )
            batch = list(offered)
            if not batch:
                return
            for appointment in batch:
                answered.add(appointment.pk)
                self._answer(t, appointment)

    def _answer(self, t: int, appointment: Appointment) -> None:
        household = appointment.household
        self._note_offer(t, appointment, household)
        if self.rng.random() < self.scenario.grow_rate:
            Household.objects.filter(pk=household.pk).update(size=F("size") + 1)
            household.refresh_from_db()
            if appointments.grow_for_new_member(household) == "rescheduled":
                self.moved[household.pk] = t
                return
        if self.rng.random() < self.scenario.confirm_rate:
            appointments.confirm(appointment)

    def _note_offer(self, t: int, appointment: Appointment, household: Household) -> None:
        pk = household.pk
        if pk in self.moved:
            self.record.reseated_after_move.append(t - self.moved.pop(pk))
        if pk in self.first_offer:
            return
        self.first_offer.add(pk)
        registered = self._day_of(household.registered_at)
        seated = Seated(
            household=pk,
            day=t,
            port=appointment.port.code,
            size=appointment.people,
            share=appointment.share,
            nationality=self.nationality.get(pk, "??"),
            registered_week=registered // 7 if registered >= 0 else -((-registered + 6) // 7),
            wait_days=t - registered,
        )
        for horizon in HORIZONS:
            shown = self.shown.get(t - horizon)
            told = shown.range_for(pk) if shown else None
            if told:
                earliest, latest = told
                seated.shown[horizon] = (self._draw_day(earliest), None if latest is None else self._draw_day(latest))
        self.record.seated.append(seated)
