"""Whether a letter is still good: the one answer given by /verify, its JSON twin and the
published revocation list, so the online check and an offline checker never disagree."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocation.models import Appointment
from letters import keys
from letters.models import Letter
from letters.statements import Statement, parse

VALID, NO_LONGER_VALID, NOT_VALID = "valid", "no_longer_valid", "not_valid"
# Why a letter stopped being valid: the public words. Never the household's details or the staff reason.
REASONS = {
    "revoked": _("The letter was withdrawn."),
    "cancelled": _("The appointment was cancelled."),
    "rescheduled": _("The appointment was moved: the family gets a new date and a new letter."),
    "expired": _("The appointment offer was not confirmed in time."),
    "missed": _("The family did not come in time."),
    "used": _("The family has already checked in with this letter."),
    "period_over": _("The letter's validity period is over."),
}
ENDED = [
    Appointment.Status.CANCELLED,
    Appointment.Status.EXPIRED,
    Appointment.Status.MISSED,
    Appointment.Status.CHECKED_IN,
]
LIST_HEADER = "CITA-REVOKED1"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    statement: Statement | None = None
    valid_until: dt.datetime | None = None
    reason: str = ""
    since: dt.datetime | None = None

    @property
    def reason_text(self) -> str:
        return str(REASONS.get(self.reason, ""))


def _appointment_end(appointment: Appointment) -> str:
    if appointment.status == Appointment.Status.CHECKED_IN:
        return "used"
    if appointment.status == Appointment.Status.CANCELLED:
        rescheduled = appointment.cancel_reason == Appointment.CancelReason.RESCHEDULED
        return "rescheduled" if rescheduled else "cancelled"
    return str(appointment.status)


def ended(letter: Letter) -> tuple[str, dt.datetime | None] | None:
    """Why and since when a letter stopped being valid because of what happened, if it did."""
    if letter.revoked_at:
        return "revoked", letter.revoked_at
    if letter.used_at:
        return "used", letter.used_at
    appointment = letter.appointment
    if appointment is not None and appointment.status in ENDED:
        return _appointment_end(appointment), appointment.ended_at
    return None


def check(code: str, now: dt.datetime | None = None) -> Verdict:
    """VALID, NO LONGER VALID (why and since when) or NOT VALID, for the text of a QR code."""
    now = now or timezone.now()
    code = code.strip()
    statement = parse(keys.verify(code) or "")
    if statement is None:
        return Verdict(NOT_VALID)
    letters = Letter.objects.select_related("appointment")
    letter = (letters.filter(serial=statement.serial) if statement.serial else letters.filter(signed=code)).first()
    end = ended(letter) if letter else None
    if end:
        return Verdict(NO_LONGER_VALID, reason=end[0], since=end[1])
    until = statement.valid_until_time() or (letter.valid_until if letter else None)
    if until and until <= now:
        return Verdict(NO_LONGER_VALID, reason="period_over", since=until)
    return Verdict(VALID, statement=statement, valid_until=until)


def revocation_list(now: dt.datetime | None = None) -> str:
    """The signed list of letters that stopped being valid before the end of their period.

    Letters whose period is over are left out: an offline checker already refuses them by date,
    so the list stays small. First line: header and the moment the list was made."""
    now = now or timezone.now()
    stopped = (
        Letter.objects.exclude(serial="")
        .filter(valid_until__gt=now)
        .filter(Q(revoked_at__isnull=False) | Q(used_at__isnull=False) | Q(appointment__status__in=ENDED))
        .select_related("appointment")
        .order_by("serial")
    )
    lines = [f"{LIST_HEADER}|{now.astimezone(dt.UTC).isoformat(timespec='seconds')}"]
    for letter in stopped:
        reason, since = ended(letter) or ("revoked", None)
        lines.append(f"{letter.serial}|{reason}|{since.astimezone(dt.UTC).date().isoformat() if since else ''}")
    return keys.sign("\n".join(lines))
