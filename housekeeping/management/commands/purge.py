from django.core.management.base import BaseCommand

from housekeeping.retention import purge


class Command(BaseCommand):
    help = (
        "Delete one-time codes and outbox copies older than a day, kept status pages no view shows any more, "
        "resend keys past their retention (IDEMPOTENCY_KEY_RETENTION_DAYS, at least 14), and erase closed "
        "households past "
        "CLOSED_HOUSEHOLD_RETENTION_DAYS. Safe to run daily."
    )

    def handle(self, *args, **options) -> None:
        for what, count in purge().items():
            self.stdout.write(f"{what}: {count}")
