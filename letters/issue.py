"""Signing letters: one current letter per confirmed appointment, and exemption letters once an
operator approved them (see letters.exemptions). Revoking and marking used live here too, each
writing its audit entry in the same transaction as the change."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import Appointment
from letters import keys
from letters.models import Letter
from letters.statements import Statement, parse
from registrations.models import Household
from shared.audit import record
from shared.models import AuditAction

REPLACED = "replaced by a new letter: the appointment changed"


def _until_text(moment: dt.datetime, zone) -> str:
    return timezone.localtime(moment, zone).isoformat(timespec="minutes")


def appointment_valid_until(appointment: Appointment) -> dt.datetime:
    """An appointment letter is good until the end of its window plus the port's grace period."""
    return appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes)


def _appointment_statement(appointment: Appointment, serial: str) -> Statement:
    zone = appointment.port.zone
    local_start = timezone.localtime(appointment.window_start, zone)
    local_end = timezone.localtime(appointment.window_end, zone)
    return Statement(
        kind="A",
        reference=appointment.household.reference,
        port=appointment.port.code,
        date=appointment.date.isoformat(),
        window=f"{local_start:%H:%M}-{local_end:%H:%M}",
        people=appointment.people,
        case="",
        issued=timezone.localdate().isoformat(),
        valid_until=_until_text(appointment_valid_until(appointment), zone),
        serial=serial,
    )


def _still_true(letter: Letter, appointment: Appointment) -> bool:
    statement = parse(keys.verify(letter.signed) or "")
    return bool(statement and statement.serial and statement.people == appointment.people)


def appointment_letter(appointment: Appointment) -> Letter:
    """The signed letter of a confirmed appointment, made once and reused while it still says the truth.

    If the appointment changed since (a person joined), the old letter is revoked and a new one made."""
    existing = Letter.objects.filter(appointment=appointment, revoked_at__isnull=True).first()
    if existing and _still_true(existing, appointment):
        return existing
    statement = _appointment_statement(appointment, secrets.token_hex(6))
    try:
        with transaction.atomic():
            if existing:
                Letter.objects.filter(pk=existing.pk).update(revoked_at=timezone.now(), revoke_reason=REPLACED)
            return Letter.objects.create(
                household=appointment.household,
                appointment=appointment,
                signed=keys.sign(statement.text()),
                serial=statement.serial,
                valid_until=appointment_valid_until(appointment),
            )
    except IntegrityError:
        return Letter.objects.get(appointment=appointment, revoked_at__isnull=True)


def exemption_valid_until(household: Household, case: str, now: dt.datetime) -> dt.datetime:
    """EXEMPTION_LETTER_DAYS from issue; a child's letter ends on their 18th birthday if that comes first."""
    until = now + dt.timedelta(days=settings.EXEMPTION_LETTER_DAYS)
    if case == Letter.Case.CHILD:
        for member in household.members.filter(is_active=True):
            born = member.date_of_birth
            try:
                adult = born.replace(year=born.year + 18)
            except ValueError:  # born on 29 February
                adult = born.replace(year=born.year + 18, day=28)
            birthday = dt.datetime.combine(adult, dt.time(0, 0), tzinfo=timezone.get_current_timezone())
            until = min(until, birthday)
    return until


def sign_exemption_letter(household: Household, case: str, approved_by) -> Letter:
    """Sign the letter of an approved exemption; called only by letters.exemptions.decide."""
    now = timezone.now()
    until = exemption_valid_until(household, case, now)
    statement = Statement(
        kind="E",
        reference=household.reference,
        port="",
        date="",
        window="",
        people=household.size,
        case=case,
        issued=timezone.localdate().isoformat(),
        valid_until=timezone.localtime(until).isoformat(timespec="minutes"),
        serial=secrets.token_hex(6),
    )
    return Letter.objects.create(
        household=household,
        case=case,
        signed=keys.sign(statement.text()),
        serial=statement.serial,
        valid_until=until,
        issued_by=approved_by,
    )


def revoke(letter: Letter, actor, reason: str) -> bool:
    """An operator withdraws a letter; the public check then says NO LONGER VALID from this moment."""
    with transaction.atomic():
        changed = Letter.objects.filter(pk=letter.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by=actor, revoke_reason=reason
        )
        if changed:
            record(actor, AuditAction.REVOKE_LETTER, letter.household, letter=letter.serial or letter.pk, reason=reason)
    return changed == 1
