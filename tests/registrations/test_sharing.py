"""The applicant sees which organisations can see the household, and can stop any of them."""

import pytest

from registrations.models import Household, OrganisationHousehold
from shared.models import AuditAction, AuditEntry
from tests.conftest import FAMILY, household_post


@pytest.fixture
def shared(maria, matamoros, brownsville, casa_del_migrante, other_ngo) -> Household:
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    assert maria.post("/household/share", {"organisation": casa_del_migrante.pk}).status_code == 302
    return Household.objects.get()


@pytest.mark.django_db
def test_the_household_page_says_who_can_see_it(maria, shared, other_ngo):
    page = maria.get("/household").content.decode()
    assert "Who can see your household" in page and "<bdi>Casa del Migrante</bdi>" in page
    assert "Otra ONG" not in page.split("Who can see your household")[1]


@pytest.mark.django_db
def test_it_says_when_no_organisation_can_see_it(maria, matamoros, brownsville, casa_del_migrante):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    assert "No organisation can see your household." in maria.get("/household").content.decode()


@pytest.mark.django_db
def test_stopping_takes_the_organisations_access_away_and_is_audited(maria, shared, casa_del_migrante, rosa):
    assert rosa.get(f"/staff/households/{shared.reference}").status_code == 200
    page = maria.get("/household/share").content.decode()
    assert "You shared your household with it on" in page and "Stop sharing" in page

    response = maria.post("/household/share/stop", {"organisation": casa_del_migrante.pk}, follow=True)
    assert "\u2068Casa del Migrante\u2069 can no longer see your household." in response.content.decode()
    assert rosa.get(f"/staff/households/{shared.reference}").status_code == 404
    assert not OrganisationHousehold.objects.exists()

    maria.post("/household/share/stop", {"organisation": casa_del_migrante.pk})  # a second press
    rows = AuditEntry.objects.filter(household_reference=shared.reference, actor=None).order_by("created_at", "pk")
    assert [(r.action, r.values) for r in rows] == [
        (AuditAction.SHARE_HOUSEHOLD, {"organisation": "Casa del Migrante"}),
        (AuditAction.STOP_SHARING, {"organisation": "Casa del Migrante"}),
    ]


@pytest.mark.django_db
def test_the_operators_audit_log_names_the_household_as_the_actor(maria, shared, casa_del_migrante, olga):
    maria.post("/household/share/stop", {"organisation": casa_del_migrante.pk})
    page = olga.get(f"/staff/audit?reference={shared.reference}").content.decode()
    assert "The household itself" in page and "Stopped letting an organisation see the household" in page


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc", "²", "9" * 40, "-1"])
def test_another_households_organisation_or_nonsense_changes_nothing(maria, shared, other_ngo, value):
    for organisation in (other_ngo.pk, value):
        response = maria.post("/household/share/stop", {"organisation": organisation})
        assert response.status_code == 302
    assert OrganisationHousehold.objects.count() == 1


@pytest.mark.django_db
def test_one_household_cannot_stop_anothers_sharing(
    maria, shared, casa_del_migrante, other_client, matamoros, brownsville
):
    other_client.post("/household/new", household_post(FAMILY[2:3], matamoros, brownsville, key="other"))
    other_client.post("/household/share/stop", {"organisation": casa_del_migrante.pk})
    assert OrganisationHousehold.objects.filter(household=shared).exists()
