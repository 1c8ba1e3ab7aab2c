"""Messages for appointment events: the offer, tomorrow's reminder, and how an appointment ended.

Messages carry the reference and a link, never the names of members (an SMS can be read by
anyone holding the phone). They are written in the household's language and kept to one SMS
segment where the language allows (see notifications.sms and tests/notifications/test_texts.py).
"""

import datetime as dt

from django.conf import settings
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from allocation.models import Appointment
from notifications import words
from notifications.models import Notification
from notifications.outbox import enqueue

ENDED = (Appointment.Status.CANCELLED, Appointment.Status.EXPIRED, Appointment.Status.MISSED)


def short_port_name(name: str) -> str:
    """'Brownsville, TX (Gateway International Bridge)' becomes 'Brownsville, TX': SMS space is dear."""
    return name.split(" (")[0]


def appointment_values(appointment: Appointment) -> dict:
    local = timezone.localtime(appointment.window_start, appointment.port.zone)
    return {
        "reference": appointment.household.reference,
        "port": short_port_name(appointment.port.name),
        "link": f"{settings.SITE_URL}/household",
        "date": date_format(appointment.date, "DATE_FORMAT"),  # month in words: 03/12 reads two ways
        "time": f"{local:%H:%M}",
        "hours": settings.OFFER_CONFIRM_HOURS,
        "yes": words.word("confirm", translation.get_language() or "en"),
        "status": words.word("status", translation.get_language() or "en"),
    }


def body_for(kind: str, appointment: Appointment) -> str:
    """The text of one appointment message, in the active language."""
    values = appointment_values(appointment)
    texts = {
        "offered": _(
            "Cita %(reference)s: appointment %(date)s %(time)s at %(port)s. "
            "Reply %(yes)s to confirm within %(hours)s h. %(link)s"
        ),
        "reminder": _(
            "Cita %(reference)s: reminder, your appointment is tomorrow, %(date)s at %(time)s, at %(port)s. %(link)s"
        ),
        "cancelled": _("Cita %(reference)s: your appointment was cancelled. You keep your place in line. %(link)s"),
        # Cancelled by Cita: the message says why, and that the family comes first at the port's next draw.
        "port_closed": _(
            "Cita %(reference)s: %(port)s is closed that day. Appointment cancelled; your family comes first "
            "at the next draw. %(link)s"
        ),
        "rescheduled": _(
            "Cita %(reference)s: no room for one more person at that time. Appointment cancelled; your family "
            "comes first at the next draw. %(link)s"
        ),
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
        body = body_for(kind, appointment)
    return enqueue(address=address or "", body=body, kind=kind, event_key=event_key, household=household) is not None


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
            kind = appointment.cancel_reason if appointment.cancel_reason in Appointment.REBOOKED_BY_CITA else status
            queued += queue(appointment, kind, f"{status}:{appointment.pk}")
    return queued
