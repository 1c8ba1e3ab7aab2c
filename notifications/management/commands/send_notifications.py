from django.core.management.base import BaseCommand

from allocation.appointments import expire_offers, mark_missed
from notifications.outbox import deliver_due, queue_events


class Command(BaseCommand):
    help = (
        "Expire offers not confirmed in time, mark appointments missed once their check-in closed, "
        "queue messages for appointment events (each event once), "
        "then deliver what is due; failures are retried with backoff. Run it every few minutes."
    )

    def handle(self, *args, **options) -> None:
        expired = expire_offers()
        missed = mark_missed()
        queued = queue_events()
        sent, failed = deliver_due()
        self.stdout.write(
            f"expired offers: {expired}, missed: {missed}, queued: {queued}, "
            f"sent: {sent}, failed (will retry): {failed}"
        )
