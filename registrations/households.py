"""Registering a household and changing its members: every state change in one place."""

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import IntegrityError, transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.models import Applicant, Household, Member, Place
from registrations.persons import person_key
from registrations.references import new_reference
from shared import idempotency
from shared.inserts import insert_rows

# Sent inside add_member's transaction when a person joins a household that already has an offer
# or an appointment; allocation seats them (allocation/apps.py), and an error there undoes the
# addition. A signal because allocation sits above registrations (docs/architecture.md).
member_joined_after_offer = Signal()


@dataclass(frozen=True)
class MemberData:
    given_names: str
    family_names: str
    date_of_birth: dt.date
    nationality: str
    sex: str
    relationship: str
    languages: str = ""
    needs: str = ""

    @cached_property
    def key(self) -> str:
        return person_key(self.given_names, self.family_names, self.date_of_birth, self.nationality)


@dataclass(frozen=True)
class HouseholdDetails:
    current_place: Place
    preferred_port_id: int
    contact_phone: str
    contact_email: str
    language: str


class DuplicatePerson(Exception):
    """Some people are already in another active household, or entered twice in this one.

    ``elsewhere`` and ``repeated`` hold positions in the submitted list of members.
    """

    def __init__(self, elsewhere: Sequence[int] = (), repeated: Sequence[int] = ()) -> None:
        super().__init__("duplicate person")
        self.elsewhere = list(elsewhere)
        self.repeated = list(repeated)


class MembersLocked(Exception):
    """Members cannot change once an appointment is fixed."""


class HouseholdFull(Exception):
    """The household would have more people than the cap (settings.MAX_HOUSEHOLD_SIZE)."""


# Called inside the change's transaction with the household, e.g. to write a staff member's audit row.
AfterChange = Callable[[Household], object] | None


def check_room(people: int) -> None:
    """The one household-size rule: every path that puts people in a household asks here first."""
    if people > settings.MAX_HOUSEHOLD_SIZE:
        raise HouseholdFull


def cap_message() -> str:
    """What every form says when the cap is reached, with the number from the setting."""
    return _("A household can have at most %(max)s people. Register anyone else as another household.") % {
        "max": settings.MAX_HOUSEHOLD_SIZE
    }


def active_count(household: Household) -> int:
    return household.members.filter(is_active=True).count()


def _check_duplicates(members: Sequence[MemberData], exclude_member_ids: Sequence[int] = ()) -> None:
    keys = [m.key for m in members]
    repeated = [i for i, key in enumerate(keys) if key in keys[:i]]
    taken = set(
        Member.objects.filter(person_key__in=keys, is_active=True)
        .exclude(pk__in=exclude_member_ids)
        .values_list("person_key", flat=True)
    )
    elsewhere = [i for i, key in enumerate(keys) if key in taken]
    if elsewhere or repeated:
        raise DuplicatePerson(elsewhere=elsewhere, repeated=repeated)


def _write_members(household: Household, members: Sequence[MemberData]) -> list[Member]:
    """Insert members; a person saved by someone else a moment ago becomes DuplicatePerson."""
    try:
        with transaction.atomic():
            return _insert_members(household, members)
    except IntegrityError:
        _check_duplicates(members)
        raise


def _insert_members(household: Household, members: Sequence[MemberData]) -> list[Member]:
    rows = [Member(household=household, person_key=m.key, **_fields(m)) for m in members]
    insert_rows(rows)
    return rows


def _fields(member: MemberData) -> dict:
    return {
        "given_names": member.given_names,
        "family_names": member.family_names,
        "date_of_birth": member.date_of_birth,
        "nationality": member.nationality,
        "sex": member.sex,
        "relationship": member.relationship,
        "languages": member.languages,
        "needs": member.needs,
    }


def _resize(household: Household) -> None:
    household.size = active_count(household)
    household.save(update_fields=["size", "updated_at"])


def create_household(applicant: Applicant, details: HouseholdDetails, members: Sequence[MemberData]) -> Household:
    """Inside the caller's transaction: the household and all its members, its priority fixed now."""
    check_room(len(members))
    _check_duplicates(members)
    household = _new_household(applicant, details, len(members))
    _write_members(household, members)
    return household


def _new_household(applicant: Applicant, details: HouseholdDetails, size: int) -> Household:
    """Inserted by a statement built once (shared/inserts.py): the busiest write after an announcement."""
    household = Household(
        reference=new_reference(),
        applicant=applicant,
        registered_at=timezone.now(),
        current_place=details.current_place,
        preferred_port_id=details.preferred_port_id,
        contact_phone=details.contact_phone,
        contact_email=details.contact_email,
        language=details.language,
        size=size,
    )
    household.index_contacts()  # what save() would do
    insert_rows([household])
    return household


def registration_scope(applicant: Applicant) -> str:
    """Resend keys of registrations are per applicant: one household each."""
    return f"applicant:{applicant.pk}"


def register_household(
    applicant: Applicant,
    details: HouseholdDetails,
    members: Sequence[MemberData],
    key: str,
    request_hash: str,
) -> str:
    """Create the household with all its members at once; its registration time is its priority.

    Returns the URL of the result, the same for every resend of the same submit.
    """
    check_room(len(members))
    keys = [m.key for m in members]
    if len(set(keys)) < len(keys):
        _check_duplicates(members)  # someone typed twice: said with anyone registered elsewhere

    def apply() -> str:
        # No query before the inserts: the database's unique indexes refuse a second household for the
        # applicant and a person already in an active household (issue 18: one submit, fewer round trips).
        household = _new_household(applicant, details, len(members))
        _insert_members(household, members)
        return reverse("household_registered")

    try:
        return idempotency.run_once(registration_scope(applicant), key, request_hash, apply)
    except IntegrityError:
        # Nothing was saved and the key is free again. Say why: the household was registered a moment
        # ago by another submit, or someone in it is already registered.
        if Household.objects.filter(applicant=applicant).exists():
            return reverse("household")
        _check_duplicates(members)
        raise


def add_member(
    household: Household, member: MemberData, key: str, request_hash: str, url: str = "", after: AfterChange = None
) -> str:
    """Add one person; the household keeps its registration time. After an offer, the person joins
    the appointment if its window has room, or the whole household is rescheduled together."""

    def apply() -> str:
        locked = Household.objects.select_for_update().get(pk=household.pk)
        if not locked.can_add_members:
            raise MembersLocked
        check_room(active_count(locked) + 1)
        _check_duplicates([member])
        _write_members(locked, [member])
        _resize(locked)
        if locked.status != Household.Status.WAITING:
            member_joined_after_offer.send(sender=Household, household=locked)
        if after:
            after(locked)
        return url or reverse("household")

    return idempotency.run_once(f"household:{household.pk}", key, request_hash, apply)


def change_member(
    member: Member, data: MemberData, key: str, request_hash: str, url: str = "", after: AfterChange = None
) -> str:
    """Correct a person's details; the duplicate rule still holds."""

    def apply() -> str:
        household = Household.objects.select_for_update().get(pk=member.household_id)
        if not household.can_change_members:
            raise MembersLocked
        _check_duplicates([data], exclude_member_ids=[member.pk])
        for name, value in _fields(data).items():
            setattr(member, name, value)
        member.person_key = data.key
        try:
            with transaction.atomic():
                member.save()
        except IntegrityError:
            _check_duplicates([data], exclude_member_ids=[member.pk])
            raise
        if after:
            after(household)
        return url or reverse("household")

    return idempotency.run_once(f"household:{member.household_id}", key, request_hash, apply)


def remove_member(member: Member, key: str, url: str = "", after: AfterChange = None) -> str:
    """Take a person off the household. The last person cannot be removed."""

    def apply() -> str:
        household = Household.objects.select_for_update().get(pk=member.household_id)
        if not household.can_change_members:
            raise MembersLocked
        if active_count(household) > 1:
            member.delete()
            _resize(household)
            if after:
                after(household)
        return url or reverse("household")

    return idempotency.run_once(f"household:{member.household_id}", key, f"remove:{member.pk}", apply)


def change_details(household: Household, details: HouseholdDetails, key: str, request_hash: str) -> str:
    """Change where the household is, its port and contact; never its registration time."""

    def apply() -> str:
        household.current_place = details.current_place
        household.preferred_port_id = details.preferred_port_id
        household.contact_phone = details.contact_phone
        household.contact_email = details.contact_email
        household.language = details.language
        household.save(
            update_fields=[
                "current_place",
                "preferred_port",
                "contact_phone",
                "contact_email",
                "language",
                "updated_at",
            ]
        )  # save() keeps the contact blind indexes in step
        return reverse("household")

    return idempotency.run_once(f"household:{household.pk}", key, request_hash, apply)
