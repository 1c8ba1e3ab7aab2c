"""Letters of exemption: the rule of each case, checked from the household's own data, and the
request → decision workflow. NGO staff (or an operator) ask; a different person, an operator,
approves or declines with a reason; only an approval signs a letter. See docs/letters.md."""

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from letters.issue import sign_exemption_letter
from letters.models import ExemptionRequest, Letter
from registrations.models import Household, VulnerabilityRequest
from shared import idempotency
from shared.audit import record
from shared.models import AuditAction

ADULT_AGE = 18


class ExemptionRefused(Exception):
    """The request or decision is not allowed; `problems` says what is missing, in plain words."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def missing(household: Household, case: str, today: dt.date | None = None) -> list[str]:
    """What the household's data lacks for this case; empty when the rule holds."""
    today = today or timezone.localdate()
    members = list(household.members.filter(is_active=True))
    if case == Letter.Case.CHILD:
        if len(members) != 1:
            alone = _("A child travelling alone must be the only person in the household. People in it now: %(n)d.")
            return [alone % {"n": len(members)}]
        if age_on(members[0].date_of_birth, today) >= ADULT_AGE:
            return [_("The person must be under 18 on the day the letter is issued. Check the date of birth.")]
        return []
    if case == Letter.Case.MEXICAN:
        others = sum(1 for m in members if m.nationality != "MX")
        if not members or others:
            mexican = _("Every person must have Mexican nationality. People with another nationality: %(others)d.")
            return [mexican % {"others": others}]
        return []
    if case == Letter.Case.RISK:
        approved = household.vulnerability_requests.filter(status=VulnerabilityRequest.Status.APPROVED).exists()
        return [] if approved else [_("An operator must first approve a vulnerable-case request for this household.")]
    return [_("Choose the case")]


def request_letter(household: Household, case: str, actor, key: str = "", request_hash: str = "") -> ExemptionRequest:
    """Ask for a letter; refused with what is missing when the rule does not hold. The form sent
    again (same resend key, shared.idempotency) gets the first answer, even once an operator
    has decided; asking again for the same case while one waits returns the waiting request."""
    problems = missing(household, case)
    if problems:
        raise ExemptionRefused(problems)

    def apply() -> str:
        return str(_waiting_or_new(household, case, actor).pk)

    pk = idempotency.run_once(f"staff:{actor.pk}", key or idempotency.new_key(), request_hash or case, apply)
    return ExemptionRequest.objects.get(pk=int(pk))


def _waiting_or_new(household: Household, case: str, actor) -> ExemptionRequest:
    """The request for this case still waiting, or a new one (with its audit row)."""
    waiting = ExemptionRequest.objects.filter(household=household, case=case, status=ExemptionRequest.Status.REQUESTED)
    try:
        with transaction.atomic():
            if existing := waiting.first():
                return existing
            made = ExemptionRequest.objects.create(household=household, case=case, requested_by=actor)
            record(actor, AuditAction.REQUEST_EXEMPTION_LETTER, household, request=made.pk, case=case)
            return made
    except IntegrityError:
        return waiting.get()


def decide(pending: ExemptionRequest, actor, approve: bool, reason: str) -> Letter | None:
    """An operator other than the requester approves (the rule is checked again, then the letter is
    signed) or declines, with a reason. A second decision on the same request changes nothing."""
    if actor.pk == pending.requested_by_id:
        raise ExemptionRefused([_("Another operator must decide: you asked for this letter yourself.")])
    household = pending.household
    if approve and (problems := missing(household, pending.case)):
        raise ExemptionRefused(problems)
    with transaction.atomic():
        locked = ExemptionRequest.objects.select_for_update().get(pk=pending.pk)
        if locked.status != ExemptionRequest.Status.REQUESTED:
            return locked.letter
        letter = sign_exemption_letter(household, locked.case, actor) if approve else None
        locked.status = ExemptionRequest.Status.APPROVED if approve else ExemptionRequest.Status.DECLINED
        locked.decided_by, locked.decided_at, locked.decision_reason = actor, timezone.now(), reason
        locked.letter = letter
        locked.save()
        if letter:
            record(
                actor,
                AuditAction.APPROVE_EXEMPTION_LETTER,
                household,
                request=locked.pk,
                case=locked.case,
                letter=letter.serial,
                reason=reason,
            )
        else:
            record(
                actor,
                AuditAction.DECLINE_EXEMPTION_LETTER,
                household,
                request=locked.pk,
                case=locked.case,
                reason=reason,
            )
        return letter
