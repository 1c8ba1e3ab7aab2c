"""Erasure on request and purging of what expires: no personal data left, counts kept."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import TextField, Value
from django.db.models.functions import Cast
from django.test import Client
from django.utils import timezone

from housekeeping.retention import purge
from registrations.models import Applicant, Household, Member, SigninCode, VulnerabilityRequest
from shared.models import IdempotencyKey
from tests.conftest import FAMILY, household_post, sign_in


@pytest.fixture
def registered(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville, contact_phone="8687654321"))
    household = Household.objects.get()
    VulnerabilityRequest.objects.create(household=household, category="medical", urgency=1, description="insulin")
    return household


@pytest.mark.django_db
def test_erasing_a_household_removes_its_personal_data_and_keeps_an_anonymous_tombstone(registered, maria):
    call_command("erase_household", registered.reference.lower(), stdout=open("/dev/null", "w"))
    registered.refresh_from_db()
    assert registered.erased_at and registered.status == "closed"
    assert (registered.size, registered.contact_phone, registered.contact_email) == (3, "", "")
    assert not Member.objects.exists()
    assert Applicant.objects.get().address is None
    assert VulnerabilityRequest.objects.get().description == ""
    # The person may register again: their duplicate key is gone.
    again = Client()
    sign_in(again, "+528680000077")
    from registrations.models import Place
    from shared.models import Port

    response = again.post(
        "/household/new",
        household_post(
            FAMILY[:1], Place.objects.get(name="Matamoros"), Port.objects.get(code="brownsville"), key="again"
        ),
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_purge_deletes_expired_codes_and_keys_and_erases_old_closed_households(registered, settings):
    later = timezone.now() + dt.timedelta(days=settings.IDEMPOTENCY_KEY_RETENTION_DAYS + 1)
    assert SigninCode.objects.exists() and IdempotencyKey.objects.exists()
    Household.objects.update(status="closed")
    Household.objects.filter(pk=registered.pk).update(
        updated_at=timezone.now() - dt.timedelta(days=settings.CLOSED_HOUSEHOLD_RETENTION_DAYS + 1)
    )
    counts = purge(now=later)
    assert counts["signin codes"] >= 1 and counts["resend keys"] == 1 and counts["closed households erased"] == 1
    assert not SigninCode.objects.exists() and not Member.objects.exists()


@pytest.mark.django_db
def test_resend_keys_are_kept_at_least_14_days(registered, settings):
    assert settings.IDEMPOTENCY_KEY_RETENTION_DAYS >= 14
    purge(now=timezone.now() + dt.timedelta(days=14))
    assert IdempotencyKey.objects.count() == 1


@pytest.fixture
def keys(settings):
    """Set FIELD_ENCRYPTION_KEYS for a test; the development key again afterwards."""

    def use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEYS = list(keys)

    yield use
    use()


@pytest.mark.django_db
def test_rotating_keys_reencrypts_every_personal_field(registered, settings, keys):
    import base64
    import hashlib

    from cryptography.fernet import Fernet, InvalidToken

    new = Fernet.generate_key().decode()
    development = base64.urlsafe_b64encode(
        hashlib.sha256(f"cita-dev-field-key:{settings.SECRET_KEY}".encode()).digest()
    ).decode()
    keys(new)
    with pytest.raises(InvalidToken):  # the new key alone cannot read data written before
        list(Member.objects.all())
    keys(new, development)  # new key first, the old one after it
    luis = Member.objects.get(given_names__isnull=False, relationship="partner")
    written_before = Fernet(development).encrypt("Luis".encode()).decode()  # as written until 3 December 2026
    Member.objects.filter(pk=luis.pk).update(given_names=Value(written_before))
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))
    keys(new)
    assert sorted(m.given_names for m in Member.objects.all()) == ["Ana", "Luis", "María José"]
    stored = Member.objects.values_list(Cast("given_names", TextField()), flat=True)
    assert all(token.startswith("g1:") for token in stored)  # every older token rewritten
