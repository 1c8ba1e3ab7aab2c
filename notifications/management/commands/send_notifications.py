import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connections

from allocation.appointments import expire_offers, mark_missed
from notifications.events import queue_events
from notifications.outbox import deliver_due
from shared.outages import caused_by_outage


class Command(BaseCommand):
    help = (
        "Expire offers not confirmed in time, mark appointments missed once their check-in closed, "
        "queue messages for appointment events (each event once), then deliver what is due at SMS_SEND_RATE; "
        "failures are retried with backoff, and an SMS with no delivery report in time goes to the household's "
        "other contact. With --loop it keeps doing this (run it as a service, so retries of sign-in codes "
        "happen within seconds), and outlasts a database outage; without, run it every minute."
    )

    database_down = False

    def add_arguments(self, parser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep running, checking every --interval seconds")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--events-every", type=float, default=60.0, help="seconds between looks for new events")

    def handle(self, *args, loop: bool = False, interval: float = 1.0, events_every: float = 60.0, **options) -> None:
        if not loop:
            self.stdout.write(self.run_once())
            return
        events_at = 0.0
        while True:
            events_at = self.loop_round(events_at, events_every)
            time.sleep(interval)

    def loop_round(self, events_at: float, events_every: float) -> float:
        """One turn of the loop; returns when the next look for events is due. A database outage
        (down, restarting, disk full) is said once on stderr and the turn tried again after the pause:
        a loop that died here would leave every later message unsent, sign-in codes included."""
        try:
            if time.monotonic() >= events_at:
                self.stdout.write(self.run_once(), ending="\n")
                events_at = time.monotonic() + events_every
            else:
                sent, failed = deliver_due()
                if sent or failed:
                    self.stdout.write(f"sent: {sent}, failed (will retry): {failed}")
        except DatabaseError as exc:
            if not caused_by_outage(exc):
                raise
            if not self.database_down:
                self.stderr.write(f"database unavailable, trying again every turn: {type(exc).__name__}: {exc}".strip())
            self.database_down = True
            connections.close_all()
            return events_at
        if self.database_down:
            self.stderr.write("database available again")
        self.database_down = False
        return events_at

    def run_once(self) -> str:
        expired = expire_offers()
        missed = mark_missed()
        queued = queue_events()
        sent, failed = deliver_due()
        return (
            f"expired offers: {expired}, missed: {missed}, queued: {queued}, "
            f"sent: {sent}, failed (will retry): {failed}"
        )
