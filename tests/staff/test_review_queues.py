"""Operator queues: vulnerable cases, reuse patterns, moving a person."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from registrations import vulnerability
from registrations.models import Household, VulnerabilityRequest
from shared.models import AuditEntry
from tests.conftest import FAMILY, household_post, member_named, sign_in


@pytest.mark.django_db
def test_an_operator_approves_a_vulnerable_case_with_a_reason(rosa, olga, matamoros, brownsville):
    rosa.post("/staff/households/new", household_post(FAMILY[:2], matamoros, brownsville, key="v"))
    household = Household.objects.get()
    rosa.post(
        f"/staff/households/{household.reference}/vulnerability",
        {"category": "pregnancy", "urgency": "1", "description": "36 weeks pregnant", "idempotency_key": "v1"},
    )
    request = VulnerabilityRequest.objects.get()
    assert "36 weeks pregnant" in olga.get("/staff/review/vulnerability").content.decode()
    olga.post(f"/staff/review/vulnerability/{request.pk}", {"decision": "approve", "reason": "Doctor's note seen"})
    request.refresh_from_db()
    assert request.status == "approved" and request.decision_reason == "Doctor's note seen"
    olga.post(f"/staff/review/vulnerability/{request.pk}", {"decision": "decline", "reason": "again"})
    request.refresh_from_db()
    assert request.status == "approved"
    decisions = AuditEntry.objects.filter(action__in=["approve vulnerability", "decline vulnerability"])
    assert [(e.actor.username, e.action, e.household_reference) for e in decisions] == [
        ("olga", "approve vulnerability", household.reference)
    ]


@pytest.mark.django_db
def test_a_decision_is_not_kept_when_its_audit_row_cannot_be_written(rosa, matamoros, brownsville):
    rosa.post("/staff/households/new", household_post(FAMILY[:2], matamoros, brownsville, key="v"))
    household = Household.objects.get()
    request = VulnerabilityRequest.objects.create(household=household, category="medical", description="x", urgency=1)
    nobody = get_user_model()(username="never-saved")  # no row: the audit insert fails
    with pytest.raises(ValueError):
        vulnerability.decide(request, True, "seen", nobody)
    request.refresh_from_db()
    assert request.status == "requested"


@pytest.mark.django_db
def test_reuse_patterns_show_households_sharing_a_phone_without_cancelling_them(olga, matamoros, brownsville):
    for n in range(3):
        client = Client()
        sign_in(client, f"+52868555000{n}")
        family = [(f"Persona{'abc'[n]}", "Reusada", "1990-01-01", "F", "head")]
        client.post(
            "/household/new",
            household_post(family, matamoros, brownsville, key=f"r{n}", contact_phone="+52 868 999 0000"),
        )
    page = olga.get("/staff/review/reuse").content.decode()
    assert "+528689990000" in page and "contact_phone</td>" not in page
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    assert "<td>Número de teléfono</td>" in olga.get("/staff/review/reuse").content.decode()  # not its field name
    index = Household.objects.first().contact_phone_index
    detail = olga.get(f"/staff/review/reuse?kind=contact_phone&index={index}").content.decode()
    assert all(h.reference in detail for h in Household.objects.all())
    assert Household.objects.filter(status="waiting").count() == 3


@pytest.mark.django_db
def test_an_operator_moves_a_person_and_both_households_keep_their_priority(
    olga, maria, other_client, matamoros, brownsville
):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    other_client.post(
        "/household/new",
        household_post([("Rosa", "Gómez", "1970-03-03", "F", "head")], matamoros, brownsville, key="o"),
    )
    first, second = Household.objects.order_by("registered_at")
    priorities = (first.registered_at, second.registered_at)
    luis = member_named("Luis")
    response = olga.post(f"/staff/members/{luis.pk}/move", {"reference": second.reference})
    assert response["Location"] == f"/staff/households/{second.reference}"
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.size, second.size) == (1, 2)
    assert (first.registered_at, second.registered_at) == priorities
    page = olga.post(f"/staff/members/{luis.pk}/move", {"reference": "AAA-AAA-AAA"}).content.decode()
    assert "Check the reference" in page
