"""The duplicate message stays clear, but one account or connection learns about only a few
different registered people a day; then it is sent to an NGO, and operators see who probes."""

import datetime as dt

import pytest
from django.test import Client

from registrations import households
from registrations.households import HouseholdDetails, MemberData
from registrations.models import Applicant, Household, Member, Place
from shared.models import Port
from tests.conftest import household_post, sign_in

TOLD = "This person is already registered in another household"
SENT_TO_NGO = "this phone has checked many people today"


@pytest.fixture
def registered_people(db) -> list[tuple]:
    """Seven people, each in a household of their own, registered by others."""
    place, port = Place.objects.get(name="Matamoros"), Port.objects.get(code="brownsville")
    details = HouseholdDetails(place, port.pk, "", "", "es")
    people = []
    for n in range(7):
        person = (f"Persona{chr(65 + n)}", "Registrada", f"19{70 + n}-01-01", "F", "head")
        applicant = Applicant.objects.create(address=f"+5286800011{n:02d}")
        member = MemberData(person[0], person[1], dt.date.fromisoformat(person[2]), "VE", "F", "head")
        households.register_household(applicant, details, [member], key=f"k{n}", request_hash="h")
        people.append(person)
    return people


def try_to_register(client, person, matamoros, brownsville) -> str:
    return client.post("/household/new", household_post([person], matamoros, brownsville)).content.decode()


@pytest.mark.django_db
def test_an_account_is_told_about_five_different_people_a_day_then_sent_to_an_ngo(
    maria, registered_people, matamoros, brownsville, olga
):
    for person in registered_people[:5]:
        page = try_to_register(maria, person, matamoros, brownsville)
        assert TOLD in page and SENT_TO_NGO not in page
    again = try_to_register(maria, registered_people[0], matamoros, brownsville)
    assert TOLD in again  # the same person again costs nothing

    sixth = try_to_register(maria, registered_people[5], matamoros, brownsville)
    assert SENT_TO_NGO in sixth and TOLD not in sixth
    assert 'value="PersonaF"' in sixth  # nothing typed is lost
    assert Household.objects.count() == 7

    page = olga.get("/staff/review/reuse").content.decode()
    assert "Accounts told about many people already registered" in page
    row = page.split("Accounts told about many people already registered", 1)[1]
    assert "•••4567" in row and "<td>6</td>" in row


@pytest.mark.django_db
def test_a_connection_is_limited_across_accounts(registered_people, matamoros, brownsville, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "duplicates-told-ip": 3}
    pages = []
    for n, person in enumerate(registered_people[:4]):
        phone = Client()  # a new account for each person, from the same connection
        sign_in(phone, f"+5286877700{n:02d}")
        pages.append(try_to_register(phone, person, matamoros, brownsville))
    assert [TOLD in page for page in pages] == [True, True, True, False]
    assert SENT_TO_NGO in pages[3]


def person_fields(person) -> dict:
    given, family, born, sex, _relationship = person
    fields = {"given_names": given, "family_names": family, "date_of_birth": born, "nationality": "VE"}
    return {**fields, "sex": sex, "relationship": "child", "idempotency_key": given}


@pytest.mark.django_db
def test_adding_one_person_counts_too(maria, registered_people, matamoros, brownsville, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "duplicates-told": 1}
    maria.post(
        "/household/new", household_post([("Maria", "Nueva", "1990-01-01", "F", "head")], matamoros, brownsville)
    )
    assert TOLD in maria.post("/household/members/add", person_fields(registered_people[0])).content.decode()
    page = maria.post("/household/members/add", person_fields(registered_people[1])).content.decode()
    assert SENT_TO_NGO in page and TOLD not in page


@pytest.mark.django_db
def test_a_second_submit_under_another_key_leaves_the_applicant_with_the_first_household(registered_people):
    """Two tabs, two keys: the second submit finds the household the first saved (the unique applicant
    column refuses a second one) and answers with the household page; nothing else is stored."""
    place, port = Place.objects.get(name="Matamoros"), Port.objects.get(code="brownsville")
    applicant = Household.objects.first().applicant
    member = MemberData("Otra", "Persona", dt.date(1999, 2, 3), "VE", "F", "head")
    details = HouseholdDetails(place, port.pk, "", "", "es")
    url = households.register_household(applicant, details, [member], key="another-tab", request_hash="h2")
    assert url == "/household"
    assert Household.objects.filter(applicant=applicant).count() == 1
    assert Member.objects.count() == 7  # the seven registered people, no one more


@pytest.mark.django_db
def test_a_person_typed_twice_and_one_registered_elsewhere_are_both_named(
    maria, registered_people, matamoros, brownsville
):
    twice = ("Nuevo", "Dos Veces", "2001-05-05", "M", "child")
    page = maria.post(
        "/household/new", household_post([registered_people[0], twice, twice], matamoros, brownsville)
    ).content.decode()
    assert TOLD in page and "You have entered this person twice" in page
    assert Household.objects.count() == 7
