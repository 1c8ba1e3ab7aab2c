"""The health or other needs an applicant writes reach the people who help: the operator reviewing
the household and the NGO it is shared with, on an audited page; nobody else."""

import pytest

from registrations.models import Household
from shared.models import AuditAction, AuditEntry
from tests.conftest import FAMILY, household_post

NEEDS = "Insulin twice a day; uses a wheelchair"


@pytest.fixture
def with_needs(maria, matamoros, brownsville, casa_del_migrante) -> Household:
    data = household_post(FAMILY[:2], matamoros, brownsville, **{"members-1-needs": NEEDS})
    maria.post("/household/new", data)
    maria.post("/household/share", {"organisation": casa_del_migrante.pk})
    return Household.objects.get()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["olga", "rosa"])
def test_the_operator_and_the_ngo_helping_see_the_needs_and_the_look_is_audited(request, who, with_needs):
    client = request.getfixturevalue(who)
    page = client.get(f"/staff/households/{with_needs.reference}").content.decode()
    assert "Health or other needs" in page and NEEDS in page
    assert AuditEntry.objects.filter(
        actor__username=who, action=AuditAction.VIEW_HOUSEHOLD, household_reference=with_needs.reference
    ).exists()


@pytest.mark.django_db
def test_another_ngo_never_sees_them(with_needs, pablo):
    assert pablo.get(f"/staff/households/{with_needs.reference}").status_code == 404
    assert NEEDS not in pablo.get("/staff/").content.decode()


@pytest.mark.django_db
def test_the_household_list_does_not_show_them(with_needs, olga):
    assert NEEDS not in olga.get("/staff/").content.decode()
