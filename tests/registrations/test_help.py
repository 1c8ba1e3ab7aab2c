"""An applicant asks for urgent help themselves, and lets an NGO see their household."""

import pytest

from registrations.models import Household, VulnerabilityRequest
from tests.conftest import FAMILY, household_post


@pytest.fixture
def registered(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    return Household.objects.get()


@pytest.mark.django_db
def test_an_applicant_asks_for_urgent_help_once_even_if_sent_twice(maria, registered):
    data = {"category": "infant", "urgency": "2", "description": "Baby born last month", "idempotency_key": "h1"}
    for _ in range(2):
        assert maria.post("/household/urgent-help", data)["Location"] == "/household"
    request = VulnerabilityRequest.objects.get()
    assert (request.household, request.category, request.status) == (registered, "infant", "requested")
    page = maria.post("/household/urgent-help", {"idempotency_key": "h2"}).content.decode()
    assert "Choose the situation" in page and "Describe the situation in a few words" in page


@pytest.mark.django_db
def test_an_applicant_shares_the_household_with_an_ngo_that_then_sees_it(maria, registered, rosa, pablo):
    assert rosa.get(f"/staff/households/{registered.reference}").status_code == 404
    from registrations.models import Organisation

    casa = Organisation.objects.get(name="Casa del Migrante")
    page = maria.post("/household/share", {"organisation": "nope"}).content.decode()
    assert "Choose the organisation from the list" in page
    assert maria.post("/household/share", {"organisation": str(casa.pk)})["Location"] == "/household"
    assert rosa.get(f"/staff/households/{registered.reference}").status_code == 200
    assert pablo.get(f"/staff/households/{registered.reference}").status_code == 404
