"""Check-in at the port: find the appointment from the reference or the letter's code, say what
stands in the way (not confirmed, another port, too early, too late), and check the family in;
an operator may override with a recorded reason. Checking in marks the letter used."""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from allocation import appointments
from allocation.models import Appointment
from letters import validity
from letters.models import Letter
from registrations.models import Household
from registrations.references import normalise_reference
from shared.audit import record
from shared.models import AuditAction, Port
from shared.pages import isolate


class CheckInRefused(Exception):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@dataclass
class Found:
    appointment: Appointment | None
    problems: list[str]


def _clock(moment: dt.datetime, port: Port) -> str:
    return formats.time_format(timezone.localtime(moment, port.zone), "H:i")


def find(text: str) -> Found:
    """The household's live appointment, from a reference or a letter's code; a bad or withdrawn code says so."""
    text = text.strip()
    if "~" in text:
        verdict = validity.check(text)
        if verdict.outcome == validity.NOT_VALID:
            return Found(None, [_("This code is NOT VALID: Cita did not sign it, or it was changed.")])
        if verdict.outcome == validity.NO_LONGER_VALID:
            return Found(None, [_("This letter is NO LONGER VALID.") + " " + verdict.reason_text])
        reference = verdict.statement.reference if verdict.statement else None
    else:
        reference = normalise_reference(text)
    household = Household.objects.filter(reference=reference).first() if reference else None
    appointment = appointments.live_appointment(household) if household else None
    if appointment is None:
        return Found(None, [_("No appointment to check in for this reference or code. Check it and try again.")])
    return Found(appointment, [])


def problems(appointment: Appointment, port: Port, now: dt.datetime) -> list[str]:
    """Every reason the family cannot be checked in here and now, in words for the officer."""
    return list(_reasons(appointment, port, now).values())


def _reasons(appointment: Appointment, port: Port, now: dt.datetime) -> dict[str, str]:
    """The reasons by name (the audit log keeps the names, shown in each reader's language)."""
    found = {}
    if appointment.status == Appointment.Status.CHECKED_IN:
        return {"checked_in": _("This family is already checked in.")}
    if appointment.status != Appointment.Status.CONFIRMED:
        found["not_confirmed"] = _("The appointment is not confirmed: the family never confirmed the offer.")
    if appointment.port_id != port.pk:
        found["other_port"] = _("This appointment is at %(port)s, not here.") % {"port": isolate(appointment.port.name)}
    opens, closes = appointments.check_in_window(appointment)
    if now < opens:
        found["too_early"] = _("Too early: check-in opens at %(time)s.") % {"time": _clock(opens, appointment.port)}
    if now > closes:
        found["too_late"] = _("Too late: check-in closed at %(time)s.") % {"time": _clock(closes, appointment.port)}
    return found


def check_in(appointment: Appointment, port: Port, actor, now: dt.datetime | None = None, override: str = "") -> None:
    """Check the household in and mark its letter used, once. Refused with the reasons unless an
    operator overrides them with a reason (recorded); a family already checked in is always refused."""
    now = now or timezone.now()
    found = _reasons(appointment, port, now)
    if appointment.status == Appointment.Status.CHECKED_IN or (found and not override.strip()):
        raise CheckInRefused(list(found.values()))
    statuses = [Appointment.Status.CONFIRMED.value] + ([Appointment.Status.OFFERED.value] if override.strip() else [])
    with transaction.atomic():
        if not appointments.mark_checked_in(appointment, now, statuses):
            raise CheckInRefused([_("This family is already checked in.")])
        Letter.objects.filter(appointment=appointment, revoked_at__isnull=True, used_at__isnull=True).update(
            used_at=now
        )
        if found:
            record(
                actor,
                AuditAction.CHECK_IN_OVERRIDE,
                appointment.household,
                port=port.code,
                problems=list(found),
                reason=override.strip(),
            )
        else:
            record(actor, AuditAction.CHECK_IN, appointment.household, port=port.code)
