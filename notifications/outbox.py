"""The outbox: every message to a person goes in here first, then to the gateway, with retries.

A row is claimed by one sender with a conditional UPDATE before it is handed to the gateway, and
marked sent afterwards, so two senders (the loop and an urgent attempt) never send it twice. An
urgent message (a sign-in code) is attempted at once, in a short-lived thread started after the
request's transaction commits: the page never waits for the gateway. Everything else waits for
the sender loop (`send_notifications --loop`), which keeps to the gateway's rate (SMS_SEND_RATE).
"""

import datetime as dt
import logging
import threading
import time

from django.conf import settings
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from notifications.models import DeliveryAttempt, Notification, StoppedAddress
from shared.encryption import blind_index
from shared.messaging import channel_for
from shared.outages import caused_by_outage

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
MAX_URGENT_ATTEMPTS = 20  # about ten minutes of tries: as long as a code works
CLAIM = dt.timedelta(seconds=60)  # longer than any gateway timeout
ALWAYS_SENT = ("signin-code", "reply")  # asked for by the person: sent even after STOP


class PermanentFailure(Exception):
    """The gateway refused the message for good (not routable, bad number): trying again cannot help."""


def backend_class():
    return import_string(settings.MESSAGE_BACKEND)


def backoff(attempts: int, urgent: bool = False) -> dt.timedelta:
    """Doubling waits between tries: from OUTBOX_RETRY_SECONDS (1 minute) to 6 hours; urgent ones
    from OUTBOX_URGENT_RETRY_SECONDS (5 s) to 30 s."""
    step = 2 ** max(attempts - 1, 0)
    if urgent:
        return dt.timedelta(seconds=min(settings.OUTBOX_URGENT_RETRY_SECONDS * step, 30))
    return dt.timedelta(seconds=min(settings.OUTBOX_RETRY_SECONDS * step, 6 * 3600))


def enqueue(
    *,
    address: str,
    body: str,
    kind: str,
    event_key: str,
    household=None,
    urgent: bool = False,
    subject: str = "",
    fallback_for: Notification | None = None,
) -> Notification | None:
    """Put one message in the outbox unless its event is there already; an urgent one is sent at once."""
    index = blind_index("address", address) if address else ""
    channel = channel_for(address) if address else "app"
    if kind not in ALWAYS_SENT and index and StoppedAddress.objects.filter(address_index=index).exists():
        channel = "app"  # the person said STOP: kept in the history and shown on the site only
    try:
        with transaction.atomic():
            note = Notification.objects.create(
                household=household,
                event_key=event_key,
                kind=kind,
                channel=channel,
                address=address,
                address_index=index,
                subject=subject,
                body=body,
                urgent=urgent,
                fallback_for=fallback_for,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return None
    if urgent:
        send_soon(note.pk)
    return note


def queue_notice(household, kind: str, event_key: str, address: str, body: str) -> bool:
    """Put a message that is not about an appointment (e.g. the sign-in moved) in the outbox, once per event."""
    return enqueue(address=address, body=body, kind=kind, event_key=event_key, household=household) is not None


def send_soon(pk: int) -> None:
    """Attempt delivery now: inline for a local backend, else in a thread once the data is committed."""
    if getattr(backend_class(), "local", False):
        deliver_one(pk)
        return
    transaction.on_commit(lambda: threading.Thread(target=_deliver_in_thread, args=(pk,), daemon=True).start())


def _deliver_in_thread(pk: int) -> None:
    try:
        deliver_one(pk)
    except Exception as exc:  # a failure here is retried by the sender loop; never let it pass silently
        if caused_by_outage(exc):  # the database went away after the request committed: not a bug
            logger.warning("urgent delivery of message %s put off, the database is unavailable: %s", pk, exc)
        else:
            logger.exception("urgent delivery of message %s failed", pk)
    finally:
        connections.close_all()


def deliver_one(pk: int, now: dt.datetime | None = None) -> bool | None:
    """Claim one due message and hand it to the gateway. True sent, False failed (retried later
    unless it failed for good), None when it was not ours to send (already sent, or claimed)."""
    now = now or timezone.now()
    claimed = Notification.objects.filter(
        pk=pk, status__in=[Notification.Status.PENDING, Notification.Status.SENDING], next_attempt_at__lte=now
    ).update(status=Notification.Status.SENDING, next_attempt_at=now + CLAIM)
    if not claimed:
        return None
    note = Notification.objects.select_related("household").get(pk=pk)
    error: Exception | None = None
    try:
        if note.channel != "app":
            backend_class()().send(
                channel=note.channel, address=note.address, subject=note.subject, body=note.body, message_id=str(pk)
            )
    except Exception as exc:  # a provider can fail in any way; we record it and retry
        error = exc
    return _record(note, error, now)


def _record(note: Notification, error: Exception | None, now: dt.datetime) -> bool:
    gave_up = False
    with transaction.atomic():
        note.attempts += 1
        if error is None:
            note.status, note.sent_at = Notification.Status.SENT, now
        else:
            limit = MAX_URGENT_ATTEMPTS if note.urgent else MAX_ATTEMPTS
            gave_up = isinstance(error, PermanentFailure) or note.attempts >= limit
            note.status = Notification.Status.FAILED if gave_up else Notification.Status.PENDING
            note.next_attempt_at = now + backoff(note.attempts, note.urgent)
        note.save(update_fields=["attempts", "next_attempt_at", "status", "sent_at"])
        DeliveryAttempt.objects.create(
            notification=note, succeeded=error is None, error=f"{type(error).__name__}: {error}"[:300] if error else ""
        )
    if gave_up:
        from notifications.fallback import fall_back

        fall_back(note)
    return error is None


class Pacer:
    """Keeps sends to at most `rate` per second (the gateway operator's throttle)."""

    def __init__(self, rate: float) -> None:
        self.interval = 1 / rate if rate > 0 else 0
        self.next_at = time.monotonic()

    def wait(self) -> None:
        delay = self.next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self.next_at = max(self.next_at, time.monotonic() - self.interval) + self.interval


def deliver_due(now: dt.datetime | None = None, pacer: Pacer | None = None) -> tuple[int, int]:
    """Send every message that is due, urgent first, at the gateway's rate. Returns (sent, failed)."""
    from notifications.fallback import fall_back_overdue

    explicit = now  # tests pass a time; the loop lets each send stamp its own
    now = now or timezone.now()
    fall_back_overdue(now)
    pacer = pacer or Pacer(settings.SMS_SEND_RATE)
    sent = failed = 0
    due = (
        Notification.objects.filter(
            status__in=[Notification.Status.PENDING, Notification.Status.SENDING], next_attempt_at__lte=now
        )
        .order_by("-urgent", "next_attempt_at", "pk")
        .values_list("pk", "channel")
    )
    for pk, channel in list(due):
        if channel == "sms":
            pacer.wait()
        result = deliver_one(pk, explicit)
        sent += result is True
        failed += result is False
    return sent, failed
