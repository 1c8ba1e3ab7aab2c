"""NGO staff register a whole family and look after its people, with the applicant's rules."""

import pytest

from registrations.models import Household, Member, OrganisationHousehold
from shared.models import AuditEntry
from tests.conftest import FAMILY, household_post, member_fields, member_named

NINE = [
    *FAMILY,
    ("Carmen", "Rojas Díaz", "1962-02-14", "F", "parent"),
    ("Jorge", "Pérez Rojas", "2009-07-07", "M", "child"),
    ("Lucía", "Pérez Rojas", "2017-03-15", "F", "child"),
    ("Tomás", "Rojas Díaz", "1995-12-01", "M", "sibling"),
]


@pytest.fixture
def registered_elsewhere(maria, matamoros, brownsville) -> Household:
    """Luis is already registered in Maria's household."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    return Household.objects.get()


@pytest.mark.django_db
def test_an_ngo_registers_nine_people_without_javascript_and_is_told_who_is_registered_elsewhere(
    rosa, registered_elsewhere, matamoros, brownsville
):
    family = [("Rosa María", "Gómez", "1980-01-01", "F", "head"), *NINE[1:]]  # Luis is in Maria's household
    data = household_post(family[:1], matamoros, brownsville, key="nine")
    for count in range(2, 10):  # "Add another person", one full page each time, nothing typed lost
        page = rosa.post("/staff/households/new", {**data, "add_member": "1"}).content.decode()
        assert f'name="members-TOTAL_FORMS" value="{count}"' in page and "There is a problem" not in page
        assert all(f'value="{given}"' in page for given, *_rest in family[: count - 1])
        data = household_post(family[:count], matamoros, brownsville, key="nine")
    response = rosa.post("/staff/households/new", data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "This person is already registered in another household" in page
    assert '<a href="#id_members-1-given_names">' in page
    for given, family_names, born, _sex, _rel in family:
        assert f'value="{given}"' in page and f'value="{family_names}"' in page and f'value="{born}"' in page
    assert Household.objects.count() == 1

    data = household_post([family[0], *family[2:]], matamoros, brownsville, key="nine-again")
    response = rosa.post("/staff/households/new", data)
    household = Household.objects.exclude(pk=registered_elsewhere.pk).get()
    assert response["Location"] == f"/staff/households/{household.reference}/slip"
    assert household.size == 8 and household.members.count() == 8


@pytest.mark.django_db
def test_an_ngo_registers_six_people_with_htmx_adding_rows_in_place(rosa, registered_elsewhere, matamoros, brownsville):
    family = [("Rosa María", "Gómez", "1980-01-01", "F", "head"), *NINE[1:6]]
    htmx = {"HX-Request": "true"}
    for count in range(1, 6):
        data = household_post(family[:count], matamoros, brownsville, key="six", add_member="1")
        response = rosa.post("/staff/households/new", data, headers=htmx)
        fragment = response.content.decode()
        assert fragment.lstrip().startswith('<fieldset class="member">') and "<html" not in fragment
        assert f'name="members-TOTAL_FORMS" value="{count + 1}"' in fragment
        assert f"members-{count}-given_names" in fragment and "members-0-given_names" not in fragment
        assert "HX-Request" in response["Vary"]
    response = rosa.post(
        "/staff/households/new", household_post(family, matamoros, brownsville, key="six"), headers=htmx
    )
    page = response.content.decode()
    assert response.status_code == 400 and "already registered in another household" in page
    assert all(f'value="{given}"' in page for given, *_rest in family)
    fixed = household_post([family[0], *family[2:]], matamoros, brownsville, key="six-2")
    response = rosa.post("/staff/households/new", fixed, headers=htmx)
    household = Household.objects.exclude(pk=registered_elsewhere.pk).get()
    assert response["HX-Redirect"] == f"/staff/households/{household.reference}/slip"
    assert household.size == 5


@pytest.fixture
def assisted(rosa, matamoros, brownsville) -> Household:
    rosa.post("/staff/households/new", household_post(FAMILY[:3], matamoros, brownsville, key="assist"))
    return Household.objects.get()


@pytest.mark.django_db
def test_staff_add_change_and_remove_people_and_each_change_is_audited(rosa, assisted):
    priority = assisted.registered_at
    page = rosa.get(f"/staff/households/{assisted.reference}").content.decode()
    assert f"/staff/households/{assisted.reference}/members/new" in page
    add = {**member_fields("", "Mateo", "Pérez Rojas", "2024-02-02", sex="M"), "idempotency_key": "s-add"}
    response = rosa.post(f"/staff/households/{assisted.reference}/members/new", add)
    assert response["Location"] == f"/staff/households/{assisted.reference}"
    ana = member_named("Ana")
    change = {**member_fields("", "Ana Lucía", "Pérez Rojas", "2012-01-20"), "idempotency_key": "s-ch"}
    rosa.post(f"/staff/households/{assisted.reference}/members/{ana.pk}", change)
    mateo = member_named("Mateo")
    rosa.post(f"/staff/households/{assisted.reference}/members/{mateo.pk}/remove", {"idempotency_key": "s-rm"})
    assisted.refresh_from_db()
    assert assisted.size == 3 and assisted.registered_at == priority
    assert member_named("Ana Lucía").household == assisted
    actions = list(AuditEntry.objects.filter(household_reference=assisted.reference).values_list("action", flat=True))
    assert {"add person", "change person", "remove person"} <= set(actions)


@pytest.mark.django_db
def test_staff_get_the_applicants_duplicate_message_and_lock(rosa, assisted, registered_elsewhere):
    luis = {**member_fields("", "Luis", "Pérez Rojas", "1988-09-01", sex="M"), "idempotency_key": "dup"}
    page = rosa.post(f"/staff/households/{assisted.reference}/members/new", luis).content.decode()
    assert "already registered in another household" in page and 'value="Luis"' in page
    Household.objects.filter(pk=assisted.pk).update(status=Household.Status.CHECKED_IN)
    ana = member_named("Ana")
    response = rosa.get(f"/staff/households/{assisted.reference}/members/{ana.pk}", follow=True)
    assert "cannot be changed now that an appointment is fixed" in response.content.decode()
    assert not AuditEntry.objects.filter(action__in=["add person", "change person"]).exists()


@pytest.mark.django_db
def test_it_checks_ownership(pablo, assisted):
    ana = member_named("Ana")
    base = f"/staff/households/{assisted.reference}/members"
    assert pablo.get(f"{base}/new").status_code == 404
    assert pablo.post(f"{base}/{ana.pk}/remove", {"idempotency_key": "x"}).status_code == 404
    assert Member.objects.filter(pk=ana.pk).exists()
    assert OrganisationHousehold.objects.count() == 1


@pytest.mark.django_db
def test_it_requires_login(client, assisted):
    response = client.get(f"/staff/households/{assisted.reference}/members/new")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login")
