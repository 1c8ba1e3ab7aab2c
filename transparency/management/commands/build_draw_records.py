import time

from django.core.management.base import BaseCommand

from allocation.models import AllocationRun
from transparency import record


class Command(BaseCommand):
    help = (
        "Build the public record (/draws/<date>.json) of every draw whose appointment day is over and whose record "
        "is not built yet, or was cleared when a held draw was released or voided. The page builds a missing record "
        "on first request too; run this hourly so no visitor waits for it (a million households take a few seconds)."
    )

    def handle(self, *args, **options):
        built = 0
        pending = AllocationRun.objects.filter(status__in=record.DECIDED, inputs__record__isnull=True).order_by("date")
        for run in pending:
            if record.is_published(run):
                started = time.perf_counter()
                try:
                    size = len(record.compressed(run))
                except ValueError as error:  # recorded before ticket numbers
                    self.stdout.write(f"{run.date}: no public record ({error}).")
                    continue
                built += 1
                self.stdout.write(f"{run.date}: {size / 1e6:.1f} MB in {time.perf_counter() - started:.1f} s.")
        self.stdout.write(f"Built {built} draw record{'s' if built != 1 else ''}.")
