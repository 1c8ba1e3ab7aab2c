import sys
import time
from dataclasses import replace
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from registrations.models import Household
from simulation.days import SCENARIOS, Record, Scenario, Simulation
from simulation.report import html_report, text_report


class Command(BaseCommand):
    help = (
        "Run Cita day by day on a fresh, throw-away database (a test database beside the configured one: "
        "SQLite in memory by default, PostgreSQL when DATABASE_URL says so) with the real draw, and report "
        "how often the wait shown on the status page came true. Never touches the configured database's data."
    )

    def add_arguments(self, parser):
        names = sorted(p.stem for p in SCENARIOS.glob("*.json"))
        parser.add_argument("--scenario", default="steady", help=f"One of {', '.join(names)}, or a JSON file.")
        parser.add_argument("--days", type=int, help="Days to simulate (default: the scenario's).")
        parser.add_argument("--waiting", type=int, help="Households waiting at the start (default: the scenario's).")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same run.")
        parser.add_argument("--report", default="simulation-report.html", help="Where to write the HTML page.")
        parser.add_argument(
            "--here",
            action="store_true",
            help="Use the configured database instead of a throw-away one; it must hold no households.",
        )

    def handle(
        self, *args, scenario: str, days: int | None, waiting: int | None, seed: int, report: str, here: bool, **options
    ):
        try:
            chosen = Scenario.load(scenario)
        except (OSError, ValueError, TypeError) as error:
            raise CommandError(f"Cannot read scenario {scenario}: {error}") from error
        chosen = replace(
            chosen,
            days=days if days is not None else chosen.days,
            waiting_at_start=waiting if waiting is not None else chosen.waiting_at_start,
        )
        if here:
            if Household.objects.exists():
                raise CommandError("--here needs a database with no households: it would mix the simulation in.")
            record = self._run(chosen, seed)
        else:
            old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
            try:
                record = self._run(chosen, seed)
            finally:
                connection.creation.destroy_test_db(old_name, verbosity=0)
        if sys.stderr.isatty():
            sys.stderr.write("\n")
        Path(report).write_text(html_report(record), encoding="utf-8")
        lines = text_report(record)
        self.stdout.write("\n".join(lines[:-1]))
        self.stdout.write(f"Report written to {report}.")
        self.stdout.write(lines[-1])

    def _run(self, scenario: Scenario, seed: int) -> Record:
        started, cpu = time.perf_counter(), time.process_time()
        record = Simulation(scenario, seed, progress=self._progress).run()
        record.seconds = time.perf_counter() - started
        record.cpu_seconds = time.process_time() - cpu
        return record

    @staticmethod
    def _progress(day: int, days: int) -> None:
        """A bar redrawn in place on a terminal; a line every tenth of the run in a log."""
        done = round(30 * day / days)
        bar = f"[{'#' * done}{'.' * (30 - done)}] day {day}/{days}"
        if sys.stderr.isatty():
            sys.stderr.write(f"\r{bar}")
        elif day == days or day % max(1, days // 10) == 0:
            sys.stderr.write(f"{bar}\n")
        sys.stderr.flush()
