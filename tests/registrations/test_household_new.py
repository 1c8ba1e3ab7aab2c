"""Registering a whole household: the story, duplicates, resends, bad input."""

import pytest
from django.test import Client

from registrations.models import Household, Member
from shared.models import IdempotencyKey
from tests.conftest import FAMILY, household_post, member_fields, sign_in


@pytest.mark.django_db
def test_it_registers_five_people_then_a_sixth_and_shows_the_reference(maria, matamoros, brownsville):
    response = maria.post("/household/new", household_post(FAMILY, matamoros, brownsville))
    assert response.status_code == 302
    assert response["Location"] == "/household/registered"
    household = Household.objects.get()
    assert household.size == 5 and household.members.count() == 5
    priority = household.registered_at

    page = maria.get("/household/registered").content.decode()
    assert household.reference in page

    add = member_fields("", "Mateo", "Pérez Rojas", "2024-02-02", sex="M", relationship="child")
    response = maria.post("/household/members/add", {**add, "idempotency_key": "add-1"})
    assert response["Location"] == "/household"
    household.refresh_from_db()
    assert household.size == 6
    assert household.registered_at == priority
    page = maria.get("/household").content.decode()
    assert "Mateo Pérez Rojas" in page and household.reference in page and "6 people" in page


@pytest.mark.django_db
def test_a_person_in_another_household_gets_a_clear_message_and_nothing_is_lost(
    maria, other_client, matamoros, brownsville
):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    before = list(Member.objects.values_list("pk", "household_id"))
    # The same Luis, typed with other accents, case and spacing, in a second household.
    family = [("Rosa", "Gómez", "1970-03-03", "F", "head"), ("LUIS ", "perez  rojas", "1988-09-01", "M", "relative")]
    response = other_client.post("/household/new", household_post(family, matamoros, brownsville, key="other-1"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "This person is already registered in another household" in page
    assert "Nothing you typed is lost" in page
    assert '<a href="#id_members-1-given_names">' in page
    assert page.startswith("<!doctype html>") and "<title>Error:" in page
    for value in ("Rosa", "Gómez", "1970-03-03", "LUIS", "perez  rojas"):
        assert f'value="{value}' in page
    assert "María" not in page and Household.objects.get().reference not in page
    assert list(Member.objects.values_list("pk", "household_id")) == before
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_the_same_person_twice_in_one_form_is_refused(maria, matamoros, brownsville):
    family = [FAMILY[0], FAMILY[1], FAMILY[1]]
    page = maria.post("/household/new", household_post(family, matamoros, brownsville)).content.decode()
    assert "You have entered this person twice" in page
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_the_same_key_three_times_makes_one_household_and_a_fresh_key_gets_the_duplicate_message(
    maria, matamoros, brownsville
):
    data = household_post(FAMILY, matamoros, brownsville, key="resend-me")
    for _ in range(3):  # each resend gets the answer the first one got: the page with the reference
        assert maria.post("/household/new", data)["Location"] == "/household/registered"
    assert Household.objects.count() == 1 and Member.objects.count() == 5
    assert IdempotencyKey.objects.count() == 1

    # The first household exists; a second one from another phone with the same people:
    other = Client()
    sign_in(other, "+528680001111")
    page = other.post("/household/new", household_post(FAMILY, matamoros, brownsville, key="fresh")).content.decode()
    assert "already registered in another household" in page
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_a_key_reused_with_other_answers_is_refused_clearly(maria, matamoros, brownsville):
    maria.post("/household/members/add", {})  # no household yet: redirected, nothing stored
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville, key="k"))
    add = member_fields("", "Mateo", "Pérez", "2024-02-02", relationship="child")
    maria.post("/household/members/add", {**add, "idempotency_key": "same"})
    changed = {**add, "members-0-given_names": "x", "given_names": "Otro", "idempotency_key": "same"}
    response = maria.post("/household/members/add", changed)
    assert response.status_code == 422
    assert "already sent with different answers" in response.content.decode()
    assert Member.objects.count() == 2


@pytest.mark.django_db
def test_add_another_person_keeps_everything_typed_without_javascript(maria, matamoros, brownsville):
    data = household_post(FAMILY[:2], matamoros, brownsville, add_member="1")
    response = maria.post("/household/new", data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="members-TOTAL_FORMS" value="3"' in page
    assert 'value="María José"' in page and 'value="Luis"' in page
    assert "There is a problem" not in page
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_add_another_person_with_htmx_returns_only_the_new_row(maria, matamoros, brownsville):
    data = household_post(FAMILY[:1], matamoros, brownsville, add_member="1")
    response = maria.post("/household/new", data, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert page.lstrip().startswith('<fieldset class="member">')
    assert "<html" not in page and "members-1-given_names" in page
    assert "members-0-given_names" not in page  # the rows on the page, typed in meanwhile, are left alone
    assert 'name="members-TOTAL_FORMS" value="2" id="id_members-TOTAL_FORMS" hx-swap-oob="true"' in page
    assert response["Vary"] and "HX-Request" in response["Vary"]


BAD_MEMBERS = [
    ({"given_names": ""}, "Enter the given names"),
    ({"family_names": "x" * 10_000}, "Family names must be 100 characters or fewer"),
    ({"given_names": "Ana\x00\x07"}, "Remove the unusual characters"),
    ({"given_names": "Ana<script>"}, "Names can only have letters"),
    ({"date_of_birth": "2023-02-30"}, "Enter a real date of birth"),
    ({"date_of_birth": "3020-01-01"}, "must be today or in the past"),
    ({"date_of_birth": ""}, "Enter the date of birth"),
    ({"nationality": "ZZ"}, "Choose an answer from the list"),
    ({"sex": ""}, "Choose the sex"),
    ({"relationship": "boss"}, "Choose an answer from the list"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("change", "message"), BAD_MEMBERS)
def test_bad_member_input_gets_a_clear_field_error(maria, matamoros, brownsville, change, message):
    data = household_post(FAMILY[:2], matamoros, brownsville)
    data.update({f"members-1-{name}": value for name, value in change.items()})
    response = maria.post("/household/new", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert message in page
    assert "There is a problem" in page and "id_members-1-" in page
    assert 'value="María José"' in page
    assert not Household.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"preferred_port": "999999"}, "Choose a port from the list"),
        ({"preferred_port": "abc"}, "Choose a port from the list"),
        ({"preferred_port": ""}, "Choose the port of entry you want to go to"),
        ({"current_place": ""}, "Choose where you are now"),
        ({"contact_phone": "call me"}, "Enter a phone number like +52 868 123 4567"),
        ({"contact_email": "nope"}, "Enter an email address like name@example.com"),
        ({"members-TOTAL_FORMS": "5000"}, ""),
        ({"members-TOTAL_FORMS": "x"}, ""),
    ],
)
def test_bad_household_input_never_breaks_the_page(maria, matamoros, brownsville, change, message):
    data = household_post(FAMILY[:1], matamoros, brownsville)
    data.update(change)
    response = maria.post("/household/new", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_signed_out_people_are_sent_to_sign_in(client):
    for url in ("/household", "/household/new", "/household/members/add", "/household/details"):
        assert client.get(url)["Location"] == "/signin"
