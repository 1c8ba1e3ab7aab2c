"""A person with no phone: registered by an NGO, later signs in with a recovery code and takes over."""

import re

import pytest
from django.test import Client

from registrations.models import Applicant, Household, OrganisationHousehold
from shared.models import AuditEntry
from tests.conftest import FAMILY, household_post, last_code


@pytest.mark.django_db
def test_ngo_registers_a_person_without_phone_who_later_takes_over(rosa, casa_del_migrante, matamoros, brownsville):
    response = rosa.post("/staff/households/new", household_post(FAMILY[:3], matamoros, brownsville, key="assist-1"))
    household = Household.objects.get()
    assert response["Location"] == f"/staff/households/{household.reference}/slip"
    assert household.applicant.address is None
    assert OrganisationHousehold.objects.filter(organisation=casa_del_migrante, household=household).exists()

    slip = rosa.get(response["Location"]).content.decode()
    codes = re.findall(r"<code>([A-Z0-9]{4}-[A-Z0-9]{4})</code>", slip)
    assert household.reference in slip and len(codes) == 8
    assert "<code>" not in rosa.get(response["Location"]).content.decode()  # shown once

    resent = rosa.post("/staff/households/new", household_post(FAMILY[:3], matamoros, brownsville, key="assist-1"))
    assert resent["Location"] == response["Location"] and Household.objects.count() == 1

    phone = Client()
    assert (
        phone.post("/signin/recover", {"reference": household.reference, "recovery_code": codes[3]})["Location"]
        == "/account/move"
    )
    phone.post("/account/move", {"address": "+528684445566"})
    phone.post("/account/move/code", {"code": last_code("+528684445566")})
    assert Applicant.objects.get().address == "+528684445566"
    assert "María José Pérez Rojas" in phone.get("/household").content.decode()
    assert AuditEntry.objects.filter(action="register household", household_reference=household.reference).exists()


@pytest.mark.django_db
def test_assisted_registration_shows_the_duplicate_message(rosa, maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    page = rosa.post(
        "/staff/households/new", household_post(FAMILY[1:2], matamoros, brownsville, key="a2")
    ).content.decode()
    assert "already registered in another household" in page
    assert Household.objects.count() == 1
