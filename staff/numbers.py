"""A lost or stolen phone: NGO staff or an operator who has seen the person move the household's
sign-in to a new phone or email, after a check that the audit row records."""

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.outbox import queue_notice
from registrations.models import Applicant, Household, Member, RecoveryCode
from registrations.signin import end_sessions, notify_old_address, recovery_code_hash
from shared import ratelimit
from shared.audit import record
from shared.models import AuditAction


class MoveRefused(Exception):
    """The check failed or the new address is taken; the message says what to do."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def _head_born(household: Household) -> dt.date | None:
    people = list(household.members.filter(is_active=True))
    head = next((m for m in people if m.relationship == Member.Relationship.HEAD), people[0] if people else None)
    return head.date_of_birth if head else None


def _check(household: Household, born: dt.date | None, slip_code: str) -> str:
    """What proved it is them ("birth_date" of the head, or an unused "slip_code", used up now), else ""."""
    if born is not None and born == _head_born(household):
        return "birth_date"
    raw = "".join(ch for ch in slip_code.upper() if ch.isalnum())
    if raw:
        code = (
            RecoveryCode.objects.select_for_update()
            .filter(applicant_id=household.applicant_id, code_hash=recovery_code_hash(raw), used_at__isnull=True)  # type: ignore[misc]
            .first()
        )
        if code is not None:
            code.used_at = timezone.now()
            code.save(update_fields=["used_at"])
            return "slip_code"
    return ""


def move_signin(household: Household, new_address: str, born: dt.date | None, slip_code: str, actor: User) -> None:
    """Check, then move the sign-in: every session of the account ends, the new address is told, the old
    one gets a notice without names. A failed check is counted ("staff-checks" of ratelimit.LIMITS)
    and changes nothing."""
    if ratelimit.peek("staff-checks", household.reference).refused:
        raise MoveRefused("date_of_birth", _("Too many checks that did not match for this household. Wait one hour."))
    with transaction.atomic():
        applicant = Applicant.objects.select_for_update().get(pk=household.applicant_id)  # type: ignore[misc]
        checked_by = _check(household, born, slip_code)
        if checked_by and applicant.address == new_address:
            return  # sent twice: the first already moved it (no second notice, no second audit row)
        if checked_by:
            if (
                Applicant.objects.filter(address_index=Applicant.index_of(new_address))
                .exclude(pk=applicant.pk)
                .exists()
            ):
                raise MoveRefused(
                    "address", _("This phone or email already signs in to another account. Use a different one.")
                )
            old_address = applicant.address
            applicant.address = new_address
            applicant.save(update_fields=["address"])
            end_sessions(applicant)
            record(actor, AuditAction.MOVE_SIGNIN, household, proof=checked_by)
            _tell(household, applicant, new_address, old_address)
            return
    ratelimit.count("staff-checks", household.reference)
    raise MoveRefused(
        "date_of_birth",
        _("The date of birth or recovery code does not match this household. Check it with the person."),
    )


def _tell(household: Household, applicant: Applicant, new: str, old: str | None) -> None:
    """The new phone learns it signs in now; the old one (if any) that the number changed. No names."""
    event = f"signin-moved:{applicant.pk}:{applicant.session_version}"
    link = f"{settings.SITE_URL}/signin"
    with translation.override(household.language):
        queue_notice(
            household,
            "signin_moved",
            f"{event}:new",
            new,
            _("Cita %(reference)s: from now on, sign in with this phone or email. %(link)s")
            % {"reference": household.reference, "link": link},
        )
    if old and old != new:
        notify_old_address(old, household.language)
