"""Phones, emails, names and dates as people type them: one phone is one identity, one person is
one person, and every refusal says what to do without contradicting the field it is on."""

import sys
import unicodedata

import pytest
from django.test import Client

from registrations.forms import MemberForm
from registrations.models import Applicant, Household, Member
from shared.text import is_default_ignorable
from tests.conftest import FAMILY, household_post, last_code, member_fields

PHONE = "+528681234567"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    ["044 868 123 4567", "045 868 123 4567", "01 868 123 4567", "+52 1 868 123 4567", "0052 868 123 4567", PHONE],
)
def test_every_way_of_typing_one_mexican_phone_signs_in_to_one_account(client, typed):
    first = Client()
    first.post("/signin", {"address": "868 123 4567"})
    first.post("/signin/code", {"code": last_code(PHONE)})

    assert client.post("/signin", {"address": typed})["Location"] == "/signin/code"
    assert client.post("/signin/code", {"code": last_code(PHONE)}).status_code == 302
    assert Applicant.objects.count() == 1 and Applicant.objects.get().address == PHONE


@pytest.mark.django_db
def test_the_contact_phone_is_stored_the_one_way(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville, contact_phone="044 868 123 4567"))
    assert Household.objects.get().contact_phone == PHONE


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["+52 000 000 0000", "12345678901", "+1 555 010 0000", "+52 868 123"])
def test_a_number_no_phone_can_have_is_refused_clearly(client, typed):
    page = client.post("/signin", {"address": typed}).content.decode()
    assert "This phone number cannot be right: check its digits and its country code" in page
    assert not Applicant.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "typed", "says", "never"),
    [
        ("contact_email", "nope", "Enter an email address like name@example.com, or leave it empty", "phone"),
        ("contact_email", "ana@", "Enter an email address like name@example.com, or leave it empty", "phone"),
        ("contact_phone", "call me", "Enter a phone number like +52 868 123 4567, or leave it empty", "email"),
        ("contact_phone", "ana@example.com", "Enter a phone number like +52 868 123 4567", "email"),
    ],
)
def test_a_field_never_asks_for_what_it_does_not_take(maria, matamoros, brownsville, field, typed, says, never):
    data = household_post(FAMILY[:1], matamoros, brownsville, **{field: typed})
    page = maria.post("/household/new", data).content.decode()
    message = page.split(f'id="id_{field}_error"', 1)[1].split("</p>", 1)[0]
    assert says in message and never not in message


@pytest.mark.django_db
@pytest.mark.parametrize("url_field", [("/signin", "address"), ("/household/new", "contact_email")])
def test_an_email_with_an_accent_is_refused_with_the_reason(maria, matamoros, brownsville, url_field):
    url, field = url_field
    data = household_post(FAMILY[:1], matamoros, brownsville, contact_email="josé@example.com")
    page = maria.post(url, data if url != "/signin" else {"address": "josé@example.com"}).content.decode()
    assert "An email address cannot have accents or letters like ñ before the @" in page


@pytest.mark.django_db
def test_the_oldest_date_of_birth_accepted_is_the_one_the_message_names(maria, matamoros, brownsville):
    old = household_post(FAMILY[:1], matamoros, brownsville)
    old["members-0-date_of_birth"] = "1899-12-31"
    page = maria.post("/household/new", old).content.decode()
    assert "The year of birth must be 1900 or later" in page
    old["members-0-date_of_birth"] = "1900-01-01"
    assert maria.post("/household/new", old)["Location"] == "/household/registered"


@pytest.mark.django_db
def test_an_invisible_hangul_filler_does_not_make_a_second_person(maria, other_client, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    given, family, born, sex, relationship = FAMILY[0]
    hidden = [(given[:4] + "\u3164" + given[4:], family, born, sex, relationship)]
    page = other_client.post("/household/new", household_post(hidden, matamoros, brownsville)).content.decode()
    assert "invisible character" in page
    assert Member.objects.count() == 1


def invisible_characters() -> list[str]:
    """Every default-ignorable or format character Unicode has assigned, not a hand-picked few."""
    found = []
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        if category == "Cf" or (is_default_ignorable(ch) and category != "Cn"):
            found.append(ch)
    return found


def test_every_invisible_character_is_refused_in_a_name():
    characters = invisible_characters()
    assert len(characters) > 300 and "\u3164" in characters and "\u115f" in characters and "\u202e" in characters
    accepted = []
    for ch in characters:
        data = member_fields("", f"Ana{ch}Luisa", "Pérez", "1990-01-01", relationship="head")
        form = MemberForm(data)
        if form.is_valid() or "given_names" not in form.errors:
            accepted.append(f"U+{ord(ch):04X}")
    assert accepted == []


@pytest.mark.django_db
def test_numbers_stored_before_are_rewritten_the_one_way(maria, matamoros, brownsville, capsys):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("registrations.migrations.0011_one_form_per_phone")
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    typed_nationally = Applicant.objects.create(address="+0448681112222")
    with_old_one = Applicant.objects.create(address="+5218683334444")
    twin = Applicant.objects.create(address="+5218681234567")  # Maria's phone, the old way
    household = Household.objects.get()
    household.contact_phone = "+0448681112222"
    household.save()

    migration.normalise(apps, None)

    typed_nationally.refresh_from_db()
    with_old_one.refresh_from_db()
    twin.refresh_from_db()
    assert typed_nationally.address == "+528681112222"
    assert typed_nationally.address_index == Applicant.index_of("+528681112222")
    assert with_old_one.address == "+528683334444"
    assert twin.address == "+5218681234567"  # left: the one way is already Maria's account
    household.refresh_from_db()
    assert household.contact_phone == "+528681112222"
    assert Household.objects.filter(contact_phone_index=household.contact_phone_index).count() == 1
    assert "2 sign-in numbers and 1 contact numbers rewritten; 1 left as they were" in capsys.readouterr().out
