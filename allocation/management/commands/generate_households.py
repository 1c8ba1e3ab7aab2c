import sys
import time

from django.core.management.base import BaseCommand

from allocation.synthetic import generate_households


class Command(BaseCommand):
    help = (
        "Create N synthetic waiting households (sizes 1-12, mostly small; ports weighted like the 2023 reports; "
        "registered over the last months) for benchmarks and demos. Never run it on production data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=None, help="Repeatable data for the same seed.")
        parser.add_argument("--days", type=int, default=270, help="Spread registrations over this many days.")
        parser.add_argument("--members", action="store_true", help="Also create one minimal member per person.")

    def handle(self, *args, count: int, seed: int | None, days: int, members: bool, **options):
        started = time.perf_counter()
        tty = sys.stdout.isatty()

        def progress(done: int) -> None:
            if tty:
                self.stdout.write(f"\r{done:,} / {count:,}", ending="")
                self.stdout.flush()

        created = generate_households(count, seed=seed, days=days, members=members, progress=progress)
        if tty:
            self.stdout.write("")
        self.stdout.write(f"Created {created:,} waiting households in {time.perf_counter() - started:.1f} s.")
