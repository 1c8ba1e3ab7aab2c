"""NGO staff change the people of a household with the applicant's own functions and rules
(locks after check-in, duplicates, the cap); each change writes its audit row in its transaction."""

from django.contrib.auth.models import User
from django.urls import reverse

from registrations import households
from registrations.households import MemberData
from registrations.models import Household, Member
from shared.audit import record
from shared.models import AuditAction


def _page(household_reference: str) -> str:
    return reverse("staff_household", kwargs={"reference": household_reference})


def add_member(household: Household, data: MemberData, actor: User, key: str, request_hash: str) -> str:
    """A person joins; after an offer the applicant's rule applies (same window, or rescheduled whole)."""
    return households.add_member(
        household,
        data,
        key,
        request_hash,
        url=_page(household.reference),
        after=lambda changed: record(actor, AuditAction.ADD_PERSON, changed),
    )


def change_member(member: Member, data: MemberData, actor: User, key: str, request_hash: str) -> str:
    """Correct a person's details, with the duplicate rule."""
    return households.change_member(
        member,
        data,
        key,
        request_hash,
        url=_page(member.household.reference),
        after=lambda changed: record(actor, AuditAction.CHANGE_PERSON, changed, person=member.pk),
    )


def remove_member(member: Member, actor: User, key: str) -> str:
    """Take a person off; the last person stays."""
    return households.remove_member(
        member,
        key,
        url=_page(member.household.reference),
        after=lambda changed: record(actor, AuditAction.REMOVE_PERSON, changed, person=member.pk),
    )
