"""Households and members are inserted by a statement built once (shared/inserts.py). What is stored must be
exactly what Django's own save would store (encrypted values, auto_now times, defaults, blind indexes), and a
row the database refuses must fail as Django's insert fails, with nothing half written."""

import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocation.models import KeptStatusPage
from allocation.status_page import KEPT_AFRESH, KEPT_PER
from registrations.models import Applicant, Household, Member
from shared.encryption import blind_index
from shared.inserts import insert_rows
from tests.conftest import FAMILY, household_post

TIMES = {"registered_at", "updated_at", "created_at"}
OWN = {"id", "reference", "applicant_id", "household_id", "person_key"}  # differ between any two rows


def _stored(row) -> dict:
    """A row as read back from the database, by field name, without what is each row's own; its times only
    checked as set a moment ago."""
    fresh = type(row).objects.get(pk=row.pk)
    values = {field.attname: getattr(fresh, field.attname) for field in fresh._meta.concrete_fields}
    for name in TIMES & values.keys():
        assert abs(timezone.now() - values.pop(name)) < dt.timedelta(minutes=1), name
    return {name: value for name, value in values.items() if name not in OWN}


def _household(address: str, reference: str, matamoros, brownsville) -> Household:
    return Household(
        reference=reference,
        applicant=Applicant.objects.create(address=address),
        registered_at=timezone.now(),
        current_place=matamoros,
        preferred_port=brownsville,
        contact_phone="+528681112222",
        contact_email="maria@example.org",
        language="es",
        size=2,
    )


def _person(household: Household, key: str) -> Member:
    born = dt.date(2012, 1, 20)
    return Member(
        household=household, given_names="Ana", family_names="Pérez Rojas", date_of_birth=born,
        nationality="VE", sex="F", relationship="child", languages="Español", person_key=key,
    )  # fmt: skip


@pytest.mark.django_db
def test_rows_are_stored_as_djangos_save_stores_them(matamoros, brownsville):
    saved = _household("+528680000001", "AAA-AAA-AAA", matamoros, brownsville)
    saved.save()
    inserted = _household("+528680000002", "BBB-BBB-BBB", matamoros, brownsville)
    inserted.index_contacts()
    insert_rows([inserted])
    assert inserted.pk and inserted.pk != saved.pk
    assert not inserted._state.adding and inserted._state.db == "default"
    assert _stored(inserted) == _stored(saved)
    assert Household.objects.get(pk=inserted.pk).contact_phone_index == blind_index("address", "+528681112222")

    Member.objects.bulk_create([_person(saved, "key-0")])
    people = [_person(inserted, "key-1"), _person(inserted, "key-2")]
    insert_rows(people)
    assert len({person.pk for person in people}) == 2
    for person in people:
        assert Member.objects.get(pk=person.pk).household_id == inserted.pk
        assert _stored(person) == _stored(Member.objects.get(person_key="key-0"))


@pytest.mark.django_db
def test_a_row_the_database_refuses_fails_as_djangos_insert_does_and_writes_nothing(matamoros, brownsville):
    household = _household("+528680000003", "CCC-CCC-CCC", matamoros, brownsville)
    household.save()
    insert_rows([_person(household, "same")])
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows([_person(household, "other"), _person(household, "same")])
    assert list(Member.objects.values_list("person_key", flat=True)) == ["same"]
    with pytest.raises(TypeError):
        insert_rows([_person(household, "x"), household])


@pytest.mark.django_db
def test_a_registration_with_contacts_is_found_by_its_blind_indexes(maria, matamoros, brownsville):
    data = household_post(FAMILY[:4], matamoros, brownsville, contact_phone="868 111 2222")
    assert maria.post("/household/new", data).status_code == 302
    household = Household.objects.get()
    assert household.contact_phone_index == blind_index("address", household.contact_phone) != ""
    assert household.members.count() == 4 and household.size == 4


@pytest.mark.django_db
def test_a_row_meeting_the_unique_fields_overwrites_the_fields_named_in_the_row_it_meets(matamoros, brownsville):
    """As bulk_create(update_conflicts=True) does: the household's page keeps its copy so."""
    household = _household("+528680000004", "DDD-DDD-DDD", matamoros, brownsville)
    household.save()

    def copy(language: str, version: int, sealed: bytes) -> KeptStatusPage:
        made = timezone.now()
        return KeptStatusPage(
            household=household, language=language, page_version=version, latest_draw=1, latest_shown_draw=1,
            made_at=made, sealed=sealed,
        )  # fmt: skip

    first, again, other = copy("es", 1, b"first"), copy("es", 2, b"again"), copy("en", 1, b"other")
    for row in (first, again, other):
        insert_rows([row], unique_fields=KEPT_PER, update_fields=KEPT_AFRESH)
    assert again.pk == first.pk and other.pk != first.pk
    stored = {row.language: (row.page_version, bytes(row.sealed)) for row in KeptStatusPage.objects.all()}
    assert stored == {"es": (2, b"again"), "en": (1, b"other")}
    with pytest.raises(TypeError):
        insert_rows([copy("fr", 1, b"")], unique_fields=KEPT_PER)
