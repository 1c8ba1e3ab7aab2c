"""Changing and removing people after registration; only your own household."""

import pytest

from registrations.models import Household, Member
from tests.conftest import FAMILY, household_post, member_fields, member_named


@pytest.fixture
def maria_household(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))
    return Household.objects.get()


@pytest.mark.django_db
def test_it_changes_a_person_and_keeps_the_priority(maria, maria_household):
    ana = member_named("Ana")
    priority = maria_household.registered_at
    page = maria.get(f"/household/members/{ana.pk}/change").content.decode()
    assert 'value="Ana"' in page and 'value="2012-01-20"' in page
    data = {
        **member_fields("", "Ana Lucía", "Pérez Rojas", "2012-01-20", relationship="child"),
        "idempotency_key": "c1",
    }
    assert maria.post(f"/household/members/{ana.pk}/change", data)["Location"] == "/household"
    ana.refresh_from_db()
    maria_household.refresh_from_db()
    assert ana.given_names == "Ana Lucía"
    assert maria_household.registered_at == priority


@pytest.mark.django_db
def test_it_removes_a_person_after_asking(maria, maria_household):
    ana = member_named("Ana")
    assert (
        "Remove <bdi>Ana Pérez Rojas</bdi> from your household?"
        in maria.get(f"/household/members/{ana.pk}/remove").content.decode()
    )
    maria.post(f"/household/members/{ana.pk}/remove", {"idempotency_key": "r1"})
    maria_household.refresh_from_db()
    assert maria_household.size == 2
    assert not Member.objects.filter(pk=ana.pk).exists()


@pytest.mark.django_db
def test_it_checks_ownership(maria_household, other_client):
    ana = member_named("Ana")
    assert other_client.get(f"/household/members/{ana.pk}/change").status_code == 404
    assert other_client.post(f"/household/members/{ana.pk}/remove", {"idempotency_key": "x"}).status_code == 404
    assert Member.objects.filter(pk=ana.pk).exists()


@pytest.mark.django_db
def test_people_are_locked_once_an_appointment_is_fixed(maria, maria_household):
    Household.objects.update(status=Household.Status.OFFERED)
    ana = member_named("Ana")
    response = maria.get(f"/household/members/{ana.pk}/change", follow=True)
    assert "cannot be changed now that an appointment is fixed" in response.content.decode()
    Household.objects.update(status=Household.Status.CHECKED_IN)
    add = {**member_fields("", "Mateo", "Pérez", "2024-02-02"), "idempotency_key": "a"}
    maria.post("/household/members/add", add)
    assert Member.objects.count() == 3


@pytest.mark.django_db
def test_it_changes_the_port_without_touching_the_priority(maria, maria_household, san_ysidro, matamoros):
    priority = maria_household.registered_at
    data = {
        "current_place": matamoros.pk,
        "preferred_port": san_ysidro.pk,
        "contact_phone": "",
        "contact_email": "",
        "language": "fr",
        "idempotency_key": "d1",
    }
    warning = maria.post("/household/details", data).content.decode()
    assert "is about" in warning
    confirmed = maria.post("/household/details", {**data, "far_port_confirmed": str(san_ysidro.pk)})
    assert confirmed["Location"] == "/household"
    maria_household.refresh_from_db()
    assert maria_household.preferred_port == san_ysidro and maria_household.language == "fr"
    assert maria_household.registered_at == priority
