"""One household-size rule for every path: registering, adding one person, moving a person in."""

import pytest

from registrations.models import Household, Member
from tests.conftest import household_post, member_fields

CAP = "A household can have at most 20 people"


def people(n: int, family: str = "Pérez Rojas") -> list[tuple]:
    names = ["Ana", "Bea", "Cruz", "Dani", "Eva", "Fer", "Gil", "Hugo", "Inés", "Juan", "Kati", "Leo", "Mar"]
    return [
        (f"{names[i % 13]} {names[i // 13]}", family, f"{1960 + i}-01-0{1 + i % 9}", "F", "head" if i == 0 else "child")
        for i in range(n)
    ]


@pytest.mark.django_db
def test_registering_twenty_one_is_refused_with_the_cap_message(maria, matamoros, brownsville):
    response = maria.post("/household/new", household_post(people(21), matamoros, brownsville))
    page = response.content.decode()
    assert response.status_code == 400 and CAP in page and "There is a problem" in page
    assert not Household.objects.exists()
    # The form stops offering another row at 20 and says why.
    page = maria.post("/household/new", household_post(people(19), matamoros, brownsville, add_member="1"))
    page = page.content.decode()
    assert 'name="members-TOTAL_FORMS" value="20"' in page and CAP in page and 'name="add_member"' not in page


@pytest.mark.django_db
def test_the_number_comes_from_the_setting(maria, matamoros, brownsville, settings):
    settings.MAX_HOUSEHOLD_SIZE = 3
    page = maria.post("/household/new", household_post(people(4), matamoros, brownsville)).content.decode()
    assert "A household can have at most 3 people" in page and not Household.objects.exists()


@pytest.mark.django_db
def test_adding_a_twenty_first_person_is_refused(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(people(20), matamoros, brownsville))
    household = Household.objects.get()
    assert household.size == 20
    page = maria.get("/household").content.decode()
    assert CAP in page and "/household/members/add" not in page
    assert CAP in maria.get("/household/members/add").content.decode()
    add = {**member_fields("", "Mateo", "Pérez", "2024-02-02"), "idempotency_key": "21st"}
    response = maria.post("/household/members/add", add)
    assert response.status_code == 400 and CAP in response.content.decode()
    assert 'value="Mateo"' in response.content.decode()
    household.refresh_from_db()
    assert household.size == 20 and household.members.count() == 20


@pytest.mark.django_db
def test_an_ngo_cannot_add_a_twenty_first_person_either(rosa, matamoros, brownsville):
    rosa.post("/staff/households/new", household_post(people(20), matamoros, brownsville, key="big"))
    household = Household.objects.get()
    add = {**member_fields("", "Mateo", "Pérez", "2024-02-02"), "idempotency_key": "21st"}
    response = rosa.post(f"/staff/households/{household.reference}/members/new", add)
    assert response.status_code == 400 and CAP in response.content.decode()
    assert Household.objects.get().size == 20


@pytest.mark.django_db
def test_moving_a_person_into_a_full_household_is_refused(olga, maria, other_client, matamoros, brownsville):
    maria.post("/household/new", household_post(people(20), matamoros, brownsville))
    full = Household.objects.get()
    other_client.post("/household/new", household_post(people(2, "Gómez Luna"), matamoros, brownsville, key="o"))
    other = Household.objects.exclude(pk=full.pk).get()
    person = other.members.first()
    response = olga.post(f"/staff/members/{person.pk}/move", {"reference": full.reference})
    assert response.status_code == 400 and CAP in response.content.decode()
    assert Member.objects.get(pk=person.pk).household_id == other.pk
    assert Household.objects.get(pk=full.pk).size == 20
