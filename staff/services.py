"""State changes made by NGO staff and operators. Each writes its audit entry itself."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Count, Q

from registrations.households import (
    HouseholdDetails,
    MemberData,
    MembersLocked,
    active_count,
    check_room,
    create_household,
)
from registrations.models import Applicant, Household, Member, Organisation, OrganisationHousehold
from registrations.signin import issue_recovery_codes
from shared import audit_details, idempotency
from shared.audit import record
from shared.models import AuditAction

REUSE_THRESHOLD = 3


@dataclass
class AssistedRegistration:
    reference: str
    recovery_codes: list[str]


def register_without_phone(
    organisation: Organisation,
    actor: User,
    details: HouseholdDetails,
    members: Sequence[MemberData],
    key: str,
    request_hash: str,
) -> AssistedRegistration | str:
    """Register a household for someone with no phone; they sign in later with a recovery code.

    A resend of the same submit returns the reference only (the codes were shown once).
    """
    made: list[AssistedRegistration] = []

    def apply() -> str:
        applicant = Applicant.objects.create(address=None, language=details.language)
        household = create_household(applicant, details, members)
        codes = issue_recovery_codes(applicant)
        OrganisationHousehold.objects.create(
            organisation=organisation, household=household, reason=OrganisationHousehold.Reason.REGISTERED
        )
        record(actor, AuditAction.REGISTER_HOUSEHOLD, household)
        made.append(AssistedRegistration(reference=household.reference, recovery_codes=codes))
        return household.reference

    reference = idempotency.run_once(f"organisation:{organisation.pk}", key, request_hash, apply)
    return made[0] if made else reference


def move_member(member: Member, target: Household, actor: User) -> None:
    """Move a person to another household (e.g. added by a relative without consent).

    Both households keep their own registration time: priority belongs to a household and
    never changes. A household left with no one is closed.
    """
    with transaction.atomic():
        source = Household.objects.select_for_update().get(pk=member.household_id)
        target = Household.objects.select_for_update().get(pk=target.pk)
        if source.pk == target.pk:
            return
        if not (source.can_change_members and target.can_change_members):
            raise MembersLocked
        check_room(active_count(target) + 1)
        Member.objects.filter(pk=member.pk).update(household=target)
        for household in (source, target):
            household.size = household.members.filter(is_active=True).count()
            if household.size == 0:
                household.status = Household.Status.CLOSED
                household.members.update(is_active=False)
            household.save(update_fields=["size", "status", "updated_at"])
        record(actor, AuditAction.MOVE_PERSON, source, person=member.pk, to=target.reference)


def reuse_patterns() -> list[dict]:
    """Phones and emails given by several active households: for a person to review, never to cancel."""
    patterns = []
    active = Household.objects.active()
    for kind in ("contact_phone", "contact_email"):
        rows = (
            active.exclude(**{f"{kind}_index": ""})
            .values(f"{kind}_index")
            .annotate(households=Count("id", distinct=True))
            .filter(households__gte=REUSE_THRESHOLD)
            .order_by("-households")
        )
        for row in rows:
            index = row[f"{kind}_index"]
            sample = active.filter(**{f"{kind}_index": index}).first()
            patterns.append(
                {
                    "kind": kind,
                    "label": audit_details.WORDS["kind"][kind],
                    "index": index,
                    "value": getattr(sample, kind),
                    "households": row["households"],
                }
            )
    return patterns


def households_using(kind: str, index: str):
    """Active households that gave this phone or email (found by its blind index)."""
    if kind not in ("contact_phone", "contact_email"):
        return Household.objects.none()
    return Household.objects.active().filter(Q(**{f"{kind}_index": index}))
