from django.core.management.base import BaseCommand

from allocation.appointments import expire_offers
from notifications.outbox import deliver_due, queue_events


class Command(BaseCommand):
    help = (
        "Expire offers not confirmed in time, queue messages for appointment events (each event once), "
        "then deliver what is due; failures are retried with backoff. Run it every few minutes."
    )

    def handle(self, *args, **options) -> None:
        expired = expire_offers()
        queued = queue_events()
        sent, failed = deliver_due()
        self.stdout.write(f"expired offers: {expired}, queued: {queued}, sent: {sent}, failed (will retry): {failed}")
