import datetime as dt
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from allocation import accuracy
from allocation.beacon import commit_beacon, round_time
from allocation.models import AllocationRun
from allocation.runs import AllocationError, allocate_date, commit_seed, timed


def parse_moment(text: str) -> dt.datetime:
    """An ISO 8601 date and time with its offset, such as 2030-03-03T18:00+00:00."""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise CommandError(
            f"Enter the cut-off as a date and time with its offset, such as 2030-03-03T18:00+00:00, not {text!r}."
        )
    return moment


def parse_date(text: str) -> dt.date:
    """A YYYY-MM-DD date, or a CommandError saying how to write it."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"Enter the date as YYYY-MM-DD, not {text!r}.") from None


class Command(BaseCommand):
    help = (
        "Assign the date's capacity at every port. Per port: approved vulnerable households first (most urgent, "
        "then longest waiting), then the waiting-time share (oldest registration first), then a lottery among the "
        "rest drawn with the committed seed. A household is never split; one too large for the seats left keeps its "
        "place and is served first at the port's next run, as is one whose appointment Cita cancelled (it grew, "
        "or the port was closed that day); unused seats pass to the next share. Running it twice "
        "for a date changes nothing; a failure leaves nothing written. Before the draw it keeps the wait every "
        "waiting household is shown, and after it checks the estimates shown 30 days before (/statistics)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, type=parse_date, help="YYYY-MM-DD")
        parser.add_argument(
            "--seed",
            help="A public value such as a randomness beacon; without it one is generated "
            "and its SHA-256 commitment recorded before the draw.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Show what would happen; write nothing.")
        parser.add_argument(
            "--commit-only",
            action="store_true",
            help="Only record (and print) the seed commitment, to publish it on /draws before the draw.",
        )
        parser.add_argument(
            "--cutoff",
            type=parse_moment,
            help="With --commit-only: publish the pool cut-off; the draw will not start before it.",
        )
        parser.add_argument(
            "--beacon-round",
            type=int,
            help="With --commit-only and --cutoff: the drand quicknet round (published after the cut-off) whose "
            "value will be the seed; enter the value later with --seed.",
        )
        parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")

    def handle(self, *args, date: dt.date, seed: str | None, dry_run: bool, json: bool, commit_only: bool, **options):
        if commit_only:
            self._commit(date, seed, options["cutoff"], options["beacon_round"])
            return
        progress = timed(self.stderr.write) if sys.stderr.isatty() and not json else (lambda step: None)
        drawn = AllocationRun.objects.filter(date=date).exclude(status=AllocationRun.Status.COMMITTED)
        if not dry_run and not drawn.exists():
            progress("Keeping the estimates the status pages show (to check them later)")
            accuracy.record_shown(date)
        try:
            outcome = allocate_date(date, seed=seed, dry_run=dry_run, progress=progress)
        except AllocationError as error:
            raise CommandError(str(error)) from None
        if outcome.changed and outcome.run is not None:
            accuracy.check_draw(outcome.run)
        if json:
            self.stdout.write(self._json(outcome, date))
            return
        self.stdout.write(outcome.message)
        if outcome.summary:
            self.stdout.write(self._table(outcome.summary))
            self._footer(outcome)

    def _commit(self, date: dt.date, seed: str | None, cutoff: dt.datetime | None, beacon_round: int | None) -> None:
        try:
            if beacon_round is not None:
                if cutoff is None or seed is not None:
                    raise CommandError("--beacon-round needs --cutoff, and no --seed: the round's value is the seed.")
                run = commit_beacon(date, beacon_round, cutoff)
                self.stdout.write(
                    f"Beacon round for {date}: drand quicknet round {run.beacon_round}, published at "
                    f"{round_time(run.beacon_chain, run.beacon_round).isoformat()} (on /draws/{date}). "
                    f"Enter its value then with: allocate --date {date} --seed VALUE"
                )
                return
            run = commit_seed(date, seed, cutoff)
        except AllocationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Seed commitment for {date}: {run.seed_commitment} (published on /draws/{date}).")

    def _json(self, outcome, date: dt.date) -> str:
        run = outcome.run
        return json.dumps(
            {
                "date": date.isoformat(),
                "changed": outcome.changed,
                "message": outcome.message,
                "status": run.status if run else "dry_run",
                "seed_commitment": run.seed_commitment if run else None,
                "seed": run.seed if run else None,
                "pool_hash": run.pool_hash if run else None,
                "summary": outcome.summary,
                "statistics": outcome.statistics,
            },
            indent=2,
        )

    def _table(self, summary: dict) -> str:
        header = (
            f"{'Port':<48} {'Capacity':>8} {'Reserved':>8} {'Waiting':>8} {'Lottery':>8} {'People':>7} "
            f"{'Households':>10} {'Empty':>6}"
        )
        lines = [header, "-" * len(header)]
        rows = list(summary["ports"].values()) + [{"name": "Total", **summary["totals"]}]
        for row in rows:
            lines.append(
                f"{row['name']:<48} {row['capacity']:>8} {row['reserved']:>8} {row['waiting']:>8} {row['lottery']:>8} "
                f"{row['people']:>7} {row['households']:>10} {row['capacity'] - row['people']:>6}"
            )
        policy = summary["policy"]
        lines.append(
            f"Eligible households: {summary['pool']:,}. Carried over to the next run: {summary['carried_over']}."
        )
        lines.append(
            f"Policy {policy.get('version', '?')}: reserved {policy['reserved_share']} %, waiting time "
            f"{policy['waiting_share']} %, lottery {policy['lottery_share']} % ({policy['weighting']})."
        )
        return "\n".join(lines)

    def _footer(self, outcome) -> None:
        stats = outcome.statistics
        self.stdout.write(
            f"Lottery: {stats.get('lottery_households', 0)} households; largest gap between a group's share of "
            f"winners and of the pool: {stats.get('max_gap_points', 0)} points."
        )
        run = outcome.run
        if run is not None and run.seed:
            self.stdout.write(f"Seed commitment {run.seed_commitment}\nSeed {run.seed}\nPool hash {run.pool_hash}")
        if run is not None and run.status == run.Status.HELD:
            self.stdout.write(
                self.style.WARNING(
                    "HELD FOR REVIEW: the lottery looks skewed. No appointment is offered until an operator releases "
                    "the run (or voids it) in the admin."
                )
            )
