"""Names, birth dates, contacts and vulnerability notes are unreadable in the database itself."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone

from registrations.models import Applicant, Household, Member, Place, VulnerabilityRequest
from registrations.persons import person_key
from shared.encryption import decrypt, encrypt
from shared.models import Port


@pytest.fixture
def thousand_households(db) -> list[tuple[str, str, dt.date]]:
    port, place = Port.objects.first(), Place.objects.first()
    households = Household.objects.bulk_create(
        Household(
            reference=f"T{n:08d}",
            registered_at=timezone.now(),
            size=1,
            current_place=place,
            preferred_port=port,
            contact_phone=f"+52868{n:07d}",
            contact_email=f"persona{n}@example.com",
        )
        for n in range(1000)
    )
    people = [(f"Yolanda{n}", f"Quispe{n}", dt.date(1950, 1, 1) + dt.timedelta(days=n * 17)) for n in range(1000)]
    Member.objects.bulk_create(
        Member(
            household=h,
            given_names=g,
            family_names=f,
            date_of_birth=d,
            nationality="PE",
            sex="F",
            relationship="head",
            needs="asthma inhaler",
            person_key=person_key(g, f, d, "PE"),
        )
        for h, (g, f, d) in zip(households, people, strict=True)
    )
    VulnerabilityRequest.objects.bulk_create(
        VulnerabilityRequest(household=h, category="medical", urgency=1, description=f"dialysis three times weekly {n}")
        for n, h in enumerate(households[:100])
    )
    return people


def all_text_in(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 (table names are ours)
        return "\n".join(str(value) for row in cursor.fetchall() for value in row)


@pytest.mark.django_db
def test_raw_sql_finds_no_plaintext_name_birth_date_contact_or_vulnerability(thousand_households):
    dump = "\n".join(
        all_text_in(t)
        for t in (
            "registrations_member",
            "registrations_household",
            "registrations_vulnerabilityrequest",
            "registrations_applicant",
        )
    )
    for given, family, born in thousand_households[::37]:
        assert given not in dump and family not in dump and born.isoformat() not in dump
    for secret in ("Yolanda", "Quispe", "asthma", "dialysis", "+52868", "example.com"):
        assert secret not in dump
    member = Member.objects.get(household__reference="T00000042")
    assert (member.given_names, member.date_of_birth) == ("Yolanda42", dt.date(1950, 1, 1) + dt.timedelta(days=42 * 17))


@pytest.mark.django_db
def test_a_query_on_an_encrypted_field_fails_loudly_instead_of_finding_nothing():
    from django.core.exceptions import FieldError

    with pytest.raises(FieldError):
        list(Member.objects.filter(given_names="Ana"))


@pytest.mark.django_db
def test_old_keys_still_decrypt_after_rotation_and_older_fernet_tokens_are_still_read(settings):
    from cryptography.fernet import Fernet, InvalidToken

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    token = encrypt("María")
    written_before = Fernet(old).encrypt("Luis".encode()).decode()  # as fields were written until 3 December 2026
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    assert decrypt(token) == "María" and decrypt(written_before) == "Luis"
    again = encrypt(decrypt(token))
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert decrypt(again) == "María"
    for unreadable in (token, written_before, again[:-4] + ("AAAA" if not again.endswith("AAAA") else "BBBB")):
        with pytest.raises(InvalidToken):
            decrypt(unreadable)


def test_a_value_shows_its_length_to_16_bytes_as_before_and_no_closer():
    lengths = {len(encrypt("x" * n)) for n in range(16)}
    assert len(lengths) == 1 and len(encrypt("x" * 16)) > lengths.pop()
    for text in ("", "a", "María José", "x" * 15, "x" * 16, "x" * 17, "ñ" * 100):
        assert decrypt(encrypt(text)) == text


@pytest.mark.django_db
def test_sign_in_finds_the_account_through_the_blind_index(maria):
    applicant = Applicant.objects.get()
    assert applicant.address == "+528681234567"
    assert "+528681234567" not in all_text_in("registrations_applicant")
