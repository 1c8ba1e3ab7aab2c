from django.core.management.base import BaseCommand, CommandError

from allocation.management.commands.allocate import parse_date
from allocation.models import AllocationRun
from allocation.verify import verify_run


class Command(BaseCommand):
    help = (
        "Repeat a past draw from its recorded inputs and revealed seed: checks the seed against its commitment, "
        "the inputs against the pool hash, and every seat against the recorded appointments. Prints MATCH or the "
        "first difference; exits with status 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", required=True, type=parse_date, help="YYYY-MM-DD")

    def handle(self, *args, date, **options):
        run = AllocationRun.objects.filter(date=date).first()
        if run is None:
            raise CommandError(f"There is no allocation run for {date}.")
        verification = verify_run(run)
        if not verification.matches:
            raise CommandError(f"MISMATCH: {verification.message}", returncode=1)
        self.stdout.write(verification.message)
