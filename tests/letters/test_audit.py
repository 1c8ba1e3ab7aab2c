"""The audit log has one entry per real step (ask, approve, withdraw, check in), each naming the
household and the case; opening pages and pressing twice add no change entry."""

import datetime as dt

import pytest
from django.utils import timezone

from allocation.models import Appointment
from letters.models import ExemptionRequest, Letter
from registrations.models import Household
from shared.models import AuditAction, AuditEntry
from tests.conftest import household_post

CHANGES = [
    AuditAction.REQUEST_EXEMPTION_LETTER,
    AuditAction.APPROVE_EXEMPTION_LETTER,
    AuditAction.DECLINE_EXEMPTION_LETTER,
    AuditAction.REVOKE_LETTER,
    AuditAction.CHECK_IN,
    AuditAction.CHECK_IN_OVERRIDE,
    AuditAction.ISSUE_EXEMPTION_LETTER,
]


def changes() -> list[tuple[str, str]]:
    entries = AuditEntry.objects.filter(action__in=CHANGES).order_by("created_at", "pk")
    return [(e.action, e.household_reference) for e in entries]


@pytest.mark.django_db
def test_one_entry_per_real_step_naming_the_case(rosa, olga, matamoros, brownsville, appointment):
    rosa.post(
        "/staff/households/new",
        household_post([("Niña", "Sola", "2013-03-03", "F", "head")], matamoros, brownsville, key="child"),
    )
    child = Household.objects.exclude(pk=appointment.household_id).get()
    url = f"/staff/households/{child.reference}/exemption"
    rosa.get(url)
    rosa.post(url, {"case": "child"})
    rosa.post(url, {"case": "child"})
    pending = ExemptionRequest.objects.get()
    olga.get("/staff/review/exemptions")
    for _twice in range(2):
        olga.post(f"/staff/review/exemptions/{pending.pk}", {"decision": "approve", "reason": "Birth certificate seen"})
    letter = Letter.objects.get(case="child")
    olga.get(f"/staff/households/{child.reference}/letters")
    for _twice in range(2):
        olga.post(f"/staff/letters/{letter.pk}/revoke", {"reason": "Printed with a typo, reissued"})

    start = timezone.now() - dt.timedelta(minutes=5)
    Appointment.objects.filter(pk=appointment.pk).update(
        window_start=start, window_end=start + dt.timedelta(minutes=30)
    )
    family = appointment.household.reference
    olga.post("/staff/check-in", {"code": family, "port": brownsville.pk, "find": "1"})
    for _twice in range(2):
        olga.post("/staff/check-in", {"code": family, "port": brownsville.pk, "confirm": "1"})

    assert changes() == [
        (AuditAction.REQUEST_EXEMPTION_LETTER, child.reference),
        (AuditAction.APPROVE_EXEMPTION_LETTER, child.reference),
        (AuditAction.REVOKE_LETTER, child.reference),
        (AuditAction.CHECK_IN, family),
    ]
    details = dict(AuditEntry.objects.filter(action__in=CHANGES).values_list("action", "values"))
    assert details[AuditAction.REQUEST_EXEMPTION_LETTER]["case"] == "child"
    assert details[AuditAction.APPROVE_EXEMPTION_LETTER]["case"] == "child"
    assert details[AuditAction.APPROVE_EXEMPTION_LETTER]["letter"] == letter.serial
    assert "Printed with a typo" in details[AuditAction.REVOKE_LETTER]["reason"]
    assert details[AuditAction.CHECK_IN] == {"port": "brownsville"}
