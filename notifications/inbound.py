"""Texts phones send to Cita, for people without mobile data: STATUS, the offer's reply word, STOP,
START and CODE, in any of the eight languages (notifications.words).

Only the phone registered to a household gets answers about it: the number it signs in with, or
the contact phone it gave (when exactly one active household gave it). Anything else gets one
short help text, at most "sms-help" a day per phone (shared.ratelimit.LIMITS). Every text and its answer
stay in the outbox history, encrypted, and are erased with the household's other personal data.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from allocation import appointments
from allocation.models import Appointment
from allocation.waits import wait_for
from notifications import words
from notifications.events import appointment_values, short_port_name
from notifications.models import InboundMessage, Notification, StoppedAddress
from notifications.outbox import enqueue
from registrations.models import Applicant, Household
from registrations.signin import SigninRefused, request_code
from shared import ratelimit
from shared.addresses import normalise_address
from shared.encryption import blind_index

DEFAULT_LANGUAGE = "es"  # a phone we do not know, writing no word we know: most people here read Spanish


def registered_household(index: str) -> Household | None:
    household = Household.objects.active().filter(applicant__address_index=index).first()
    if household is None:
        by_contact = list(Household.objects.active().filter(contact_phone_index=index)[:2])
        household = by_contact[0] if len(by_contact) == 1 else None
    return household


def _status(household: Household) -> str:
    values: dict[str, object] = {
        "reference": household.reference,
        "port": short_port_name(household.preferred_port.name),
    }
    appointment = appointments.live_appointment(household)
    if appointment is not None and appointment.status == Appointment.Status.OFFERED:
        return _("Cita %(reference)s: appointment %(date)s %(time)s at %(port)s. Reply %(yes)s to confirm.") % (
            appointment_values(appointment)
        )
    if appointment is not None and appointment.status == Appointment.Status.CONFIRMED:
        return _("Cita %(reference)s: appointment confirmed, %(date)s %(time)s at %(port)s.") % (
            appointment_values(appointment)
        )
    if household.status == Household.Status.CHECKED_IN:
        return _("Cita %(reference)s: you have checked in at the port.") % values
    wait = wait_for(household)
    if wait is None:
        return _("Cita %(reference)s: this registration is closed.") % values
    values |= {"position": wait.position, "earliest": wait.earliest_days, "latest": wait.latest_days}
    if wait.latest_days is None or wait.latest_days == wait.earliest_days:
        return (
            _(
                "Cita %(reference)s: waiting, number %(position)s in line at %(port)s. Expected wait: "
                "at least %(earliest)s days."
            )
            % values
        )
    return (
        _(
            "Cita %(reference)s: waiting, number %(position)s in line at %(port)s. Expected wait: "
            "%(earliest)s to %(latest)s days."
        )
        % values
    )


def _confirm(household: Household) -> str:
    appointment = appointments.live_appointment(household)
    if appointment is not None and appointment.status in Appointment.LIVE and appointments.confirm(appointment):
        appointment.refresh_from_db()
        return _("Cita %(reference)s: confirmed. Come to %(port)s on %(date)s at %(time)s. Your letter: %(link)s") % (
            appointment_values(appointment)
        )
    return _("Cita %(reference)s: there is no offer to confirm. Send %(status)s to see your situation.") % {
        "reference": household.reference,
        "status": words.word("status", translation.get_language()),
    }


def _stop(index: str) -> str:
    StoppedAddress.objects.get_or_create(address_index=index)
    return _("Cita: you will get no more messages. You stay registered. Send %(start)s to get them again.") % {
        "start": words.word("start", translation.get_language())
    }


def _start(index: str) -> str:
    StoppedAddress.objects.filter(address_index=index).delete()
    return _("Cita: you will get messages again.")


def _code(address: str, index: str) -> str | None:
    """A new sign-in code, sent by itself; the answer is only needed when it is refused."""
    try:
        request_code(address, session_token=None, client="text message")
    except SigninRefused as refusal:
        return refusal.message
    return None


def _help(index: str, registered: bool, now: dt.datetime) -> str | None:
    """One short help text, counted: at most "sms-help" (shared.ratelimit.LIMITS) a day to one phone."""
    if ratelimit.count("sms-help", index, now).refused:
        return None
    language = translation.get_language()
    if registered:
        return _(
            "Cita: send %(status)s for your situation, %(code)s for a sign-in code, %(stop)s to stop messages."
        ) % {
            "status": words.word("status", language),
            "code": words.word("code", language),
            "stop": words.word("stop", language),
        }
    return _("Cita: this phone is not registered. Sign in or register at %(link)s") % {"link": settings.SITE_URL}


def _answer(command: str, address: str, index: str, household: Household | None, now: dt.datetime) -> str | None:
    known = household is not None or Applicant.objects.filter(address_index=index).exists()
    if command == "code" and known:
        return _code(address, index)
    if command in ("stop", "start") and known:
        return _stop(index) if command == "stop" else _start(index)
    if command == "status" and household is not None:
        return _status(household)
    if command == "confirm" and household is not None:
        return _confirm(household)
    return _help(index, known, now)


def receive(sender: str, text: str, now: dt.datetime | None = None) -> InboundMessage:
    """Keep a text from a phone and queue its answer, in the household's language."""
    now = now or timezone.now()
    try:
        address = normalise_address(sender)
    except ValidationError:
        address = sender.strip()[:30]
    index = blind_index("address", address)
    command, word_language = words.parse(text)
    household = registered_household(index)
    with transaction.atomic():
        inbound = InboundMessage.objects.create(
            address=address, address_index=index, body=text[:1000], household=household, command=command
        )
        language = household.language if household else (word_language or DEFAULT_LANGUAGE)
        with translation.override(language):
            answer = _answer(command, address, index, household, now)
        if answer:
            inbound.answer = enqueue(
                address=address,
                body=answer,
                kind="reply",
                event_key=f"reply:{inbound.pk}",
                household=household,
                urgent=True,
            )
        elif command == "code":
            inbound.answer = Notification.objects.filter(address_index=index, kind="signin-code").first()
        inbound.save(update_fields=["answer"])
    return inbound
