"""Issuing letters: one per appointment, and exemption letters by NGO staff or operators."""

from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import Appointment
from letters import keys
from letters.models import Letter
from letters.statements import Statement
from registrations.models import Household


def appointment_letter(appointment: Appointment) -> Letter:
    """The signed letter of an appointment, made once and then reused."""
    existing = Letter.objects.filter(appointment=appointment).first()
    if existing:
        return existing
    local_start = timezone.localtime(appointment.window_start, appointment.port.zone)
    local_end = timezone.localtime(appointment.window_end, appointment.port.zone)
    statement = Statement(
        kind="A",
        reference=appointment.household.reference,
        port=appointment.port.code,
        date=appointment.date.isoformat(),
        window=f"{local_start:%H:%M}-{local_end:%H:%M}",
        people=appointment.people,
        case="",
        issued=timezone.localdate().isoformat(),
    )
    try:
        with transaction.atomic():
            return Letter.objects.create(
                household=appointment.household, appointment=appointment, signed=keys.sign(statement.text())
            )
    except IntegrityError:
        return Letter.objects.get(appointment=appointment)


def exemption_letter(household: Household, case: str, issued_by) -> Letter:
    """A letter for a case the rules exempt from needing an appointment; staff only."""
    if case not in {c for c, _label in Letter.Case.choices if c}:
        raise ValueError(case)
    statement = Statement(
        kind="E",
        reference=household.reference,
        port="",
        date="",
        window="",
        people=household.size,
        case=case,
        issued=timezone.localdate().isoformat(),
    )
    return Letter.objects.create(
        household=household, case=case, signed=keys.sign(statement.text()), issued_by=issued_by
    )
