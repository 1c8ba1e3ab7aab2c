"""Queue messages for appointment events and deliver them with retries and backoff.

Messages carry the reference and a link, never the names of members (an SMS can be read by
anyone holding the phone). They are written in the household's language.
"""

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from allocation.models import Appointment
from notifications.models import DeliveryAttempt, Notification
from registrations.messaging import channel_for, send_message

MAX_ATTEMPTS = 8
ENDED = (Appointment.Status.CANCELLED, Appointment.Status.EXPIRED, Appointment.Status.MISSED)


def backoff(attempts: int) -> dt.timedelta:
    """1, 2, 4, 8 … minutes between tries, at most 6 hours."""
    return dt.timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def _body(kind: str, appointment: Appointment) -> str:
    link = f"{settings.SITE_URL}/household"
    local = timezone.localtime(appointment.window_start, appointment.port.zone)
    values = {
        "reference": appointment.household.reference,
        "port": appointment.port.name,
        "link": link,
        "date": date_format(appointment.date, "DATE_FORMAT"),
        "time": f"{local:%H:%M}",
        "hours": settings.OFFER_CONFIRM_HOURS,
    }
    texts = {
        "offered": _(
            "Cita %(reference)s: your family has an appointment at %(port)s on %(date)s at %(time)s. "
            "Confirm within %(hours)s hours: %(link)s"
        ),
        "reminder": _(
            "Cita %(reference)s: reminder, your appointment is tomorrow, %(date)s at %(time)s, at %(port)s. %(link)s"
        ),
        "cancelled": _("Cita %(reference)s: your appointment was cancelled. You keep your place in line. %(link)s"),
        "expired": _(
            "Cita %(reference)s: the appointment was not confirmed in time. You keep your place in line. %(link)s"
        ),
        "missed": _("Cita %(reference)s: you missed your appointment. You keep your place in line. %(link)s"),
    }
    return texts[kind] % values


def queue(appointment: Appointment, kind: str, event_key: str) -> bool:
    """Put one message in the outbox for this event, unless it is there already."""
    household = appointment.household
    address = (
        (household.applicant.address if household.applicant else "")
        or household.contact_phone
        or household.contact_email
    )
    with translation.override(household.language):
        body = _body(kind, appointment)
    try:
        with transaction.atomic():
            Notification.objects.create(
                household=household,
                event_key=event_key,
                kind=kind,
                channel=channel_for(address) if address else "app",
                address=address or "",
                body=body,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def queue_notice(household, kind: str, event_key: str, address: str, body: str) -> bool:
    """Put a message that is not about an appointment (e.g. the sign-in moved) in the outbox, once per event."""
    try:
        with transaction.atomic():
            Notification.objects.create(
                household=household,
                event_key=event_key,
                kind=kind,
                channel=channel_for(address),
                address=address,
                body=body,
                next_attempt_at=timezone.now(),
            )
    except IntegrityError:
        return False
    return True


def _not_queued(appointments, prefix: str):
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
    return appointments.exclude(Exists(Notification.objects.filter(event_key=key)))


def queue_events(now: dt.datetime | None = None) -> int:
    """Find appointment events not yet in the outbox: offers, tomorrow's reminders, endings."""
    now = now or timezone.now()
    queued = 0
    appointments = Appointment.objects.select_related("household__applicant", "port")
    for appointment in _not_queued(appointments.filter(status=Appointment.Status.OFFERED), "offered:"):
        queued += queue(appointment, "offered", f"offered:{appointment.pk}")
    tomorrow = (now + dt.timedelta(days=1)).date()
    upcoming = appointments.filter(status__in=[Appointment.Status.OFFERED, Appointment.Status.CONFIRMED], date=tomorrow)
    for appointment in _not_queued(upcoming, "reminder:"):
        queued += queue(appointment, "reminder", f"reminder:{appointment.pk}")
    for status in ENDED:
        ended = appointments.filter(status=status, date__gte=(now - dt.timedelta(days=14)).date())
        for appointment in _not_queued(ended, f"{status}:"):
            queued += queue(appointment, status, f"{status}:{appointment.pk}")
    return queued


def deliver_due(now: dt.datetime | None = None) -> tuple[int, int]:
    """Send every message that is due; a failure is retried later with backoff. Returns (sent, failed)."""
    now = now or timezone.now()
    sent = failed = 0
    due = Notification.objects.filter(status=Notification.Status.PENDING, next_attempt_at__lte=now).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            note = Notification.objects.select_for_update().filter(pk=pk, status=Notification.Status.PENDING).first()
            if note is None:
                continue
            try:
                if note.channel != "app":
                    send_message(note.address, note.body)
            except Exception as error:  # a provider can fail in any way; we record it and retry
                note.attempts += 1
                note.next_attempt_at = now + backoff(note.attempts)
                note.status = (
                    Notification.Status.FAILED if note.attempts >= MAX_ATTEMPTS else Notification.Status.PENDING
                )
                DeliveryAttempt.objects.create(notification=note, succeeded=False, error=type(error).__name__)
                failed += 1
            else:
                note.attempts += 1
                note.status, note.sent_at = Notification.Status.SENT, now
                DeliveryAttempt.objects.create(notification=note, succeeded=True)
                sent += 1
            note.save(update_fields=["attempts", "next_attempt_at", "status", "sent_at"])
    return sent, failed
