"""Letters of exemption: Rosa (NGO) asks, an operator who is not the asker decides, only then a
letter is signed; each case's rule is checked from the household's own data."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from letters.models import ExemptionRequest, Letter
from registrations.models import Household, Member, VulnerabilityRequest
from shared.models import AuditAction, AuditEntry
from tests.conftest import household_post, staff_client

CHILD = ("Niño", "Solo", "2012-05-05", "M", "head")
GRANDFATHER = ("Abuelo", "Solo", "1948-05-05", "M", "head")
MOTHER = ("Madre", "Acompañante", "1990-01-01", "F", "parent")


@pytest.fixture
def register(rosa, matamoros, brownsville):
    """Rosa registers a household at her shelter and gets it back."""

    def make(*members, key: str = "k") -> Household:
        rosa.post("/staff/households/new", household_post(list(members), matamoros, brownsville, key=key))
        return Household.objects.order_by("-pk").first()

    return make


def ask(client: Client, household: Household, case: str):
    return client.post(f"/staff/households/{household.reference}/exemption", {"case": case})


def audits(action: AuditAction) -> int:
    return AuditEntry.objects.filter(action=action).count()


def decide(client: Client, request: ExemptionRequest, decision: str, reason: str = "Papers checked at the shelter"):
    return client.post(f"/staff/review/exemptions/{request.pk}", {"decision": decision, "reason": reason})


@pytest.mark.django_db
def test_a_child_alone_gets_a_letter_only_after_an_operator_approves(rosa, olga, register):
    household = register(CHILD)
    opened = rosa.get(f"/staff/households/{household.reference}/exemption")
    assert opened.status_code == 200 and audits(AuditAction.REQUEST_EXEMPTION_LETTER) == 0
    assert not AuditEntry.objects.filter(action=AuditAction.ISSUE_EXEMPTION_LETTER).exists()

    response = ask(rosa, household, "child")
    assert response.status_code == 302 and response["Location"].endswith("/letters")
    pending = ExemptionRequest.objects.get()
    assert pending.status == "requested" and not Letter.objects.exists()  # nothing to verify yet
    assert audits(AuditAction.REQUEST_EXEMPTION_LETTER) == 1
    ask(rosa, household, "child")  # asking twice while one waits: the same request
    assert ExemptionRequest.objects.count() == 1 and audits(AuditAction.REQUEST_EXEMPTION_LETTER) == 1

    queue = olga.get("/staff/review/exemptions").content.decode()
    assert household.reference in queue and "meet the rule" in queue
    decide(olga, pending, "approve")
    letter = Letter.objects.get()
    pending.refresh_from_db()
    assert pending.status == "approved" and pending.letter == letter and pending.decided_by.username == "olga"
    entry = AuditEntry.objects.get(action=AuditAction.APPROVE_EXEMPTION_LETTER)
    assert entry.household_reference == household.reference and entry.actor.username == "olga"
    assert "Papers checked" in entry.values["reason"] and entry.values["letter"] == letter.serial

    answer = Client().get("/verify", {"code": letter.signed, "format": "json"}).json()
    assert answer["verdict"] == "VALID" and answer["statement"]["case"] == "child"
    assert answer["valid_until"] is not None
    decide(olga, pending, "approve")  # a second click changes nothing
    assert Letter.objects.count() == 1 and audits(AuditAction.APPROVE_EXEMPTION_LETTER) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("members", "case", "message"),
    [
        ([GRANDFATHER], "child", "must be under 18"),
        ([CHILD, MOTHER], "child", "must be the only person in the household. People in it now: 2."),
        ([CHILD], "mexican", "Every person must have Mexican nationality. People with another nationality: 1."),
        ([GRANDFATHER], "risk", "An operator must first approve a vulnerable-case request"),
    ],
)
def test_each_case_is_refused_when_its_rule_fails(rosa, register, members, case, message):
    household = register(*members)
    response = ask(rosa, household, case)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "There is a problem" in page
    assert re.search(r'<input type="radio" name="case" value="%s"[^>]*checked' % case, page)  # choice kept
    assert not ExemptionRequest.objects.exists() and not Letter.objects.exists()
    assert audits(AuditAction.REQUEST_EXEMPTION_LETTER) == 0


@pytest.mark.django_db
def test_mexican_nationals_and_an_approved_risk_case_may_ask(rosa, olga, register):
    mexicans = register(GRANDFATHER, key="mx")
    Member.objects.filter(household=mexicans).update(nationality="MX")
    assert ask(rosa, mexicans, "mexican").status_code == 302
    at_risk = register(MOTHER, key="risk")
    VulnerabilityRequest.objects.create(household=at_risk, category="threat", urgency=1, description="x")
    assert ask(rosa, at_risk, "risk").status_code == 400  # asked, not yet approved
    VulnerabilityRequest.objects.update(status=VulnerabilityRequest.Status.APPROVED)
    assert ask(rosa, at_risk, "risk").status_code == 302
    assert ExemptionRequest.objects.count() == 2


@pytest.mark.django_db
def test_the_asker_cannot_approve_their_own_request(olga, register):
    household = register(CHILD)
    ask(olga, household, "child")
    pending = ExemptionRequest.objects.get()
    assert "you asked for this letter yourself" in olga.get("/staff/review/exemptions").content.decode()
    decide(olga, pending, "approve")
    assert "you asked for this letter yourself" in olga.get("/staff/review/exemptions").content.decode()
    assert not Letter.objects.exists() and audits(AuditAction.APPROVE_EXEMPTION_LETTER) == 0
    omar = staff_client("omar", "operator", None)
    decide(omar, pending, "approve")
    assert Letter.objects.get().issued_by.username == "omar"


@pytest.mark.django_db
def test_the_rule_is_checked_again_when_deciding_and_a_decline_signs_nothing(rosa, olga, register):
    household = register(CHILD)
    ask(rosa, household, "child")
    pending = ExemptionRequest.objects.get()
    Member.objects.filter(household=household).update(date_of_birth="1990-01-01")
    assert "must be under 18" in olga.get("/staff/review/exemptions").content.decode()
    decide(olga, pending, "approve")
    assert not Letter.objects.exists()
    assert decide(olga, pending, "decline", reason="").status_code == 302
    assert ExemptionRequest.objects.get().status == "requested"  # a decision needs its reason
    decide(olga, pending, "decline", reason="Adult: born in 1990")
    pending.refresh_from_db()
    assert pending.status == "declined" and not Letter.objects.exists()
    assert audits(AuditAction.DECLINE_EXEMPTION_LETTER) == 1
    assert "Adult: born in 1990" in rosa.get(f"/staff/households/{household.reference}/letters").content.decode()


@pytest.fixture
def signed(rosa, olga, register) -> Letter:
    household = register(CHILD)
    Household.objects.filter(pk=household.pk).update(language="es")
    ask(rosa, household, "child")
    decide(olga, ExemptionRequest.objects.get(), "approve")
    return Letter.objects.get()


@pytest.mark.django_db
def test_the_letter_reads_in_the_familys_language_beside_english(rosa, signed):
    page = rosa.get(f"/staff/letters/{signed.pk}").content.decode()
    assert 'lang="es"' in page and 'lang="en"' in page
    with translation.override("es"):
        spanish = translation.gettext("Child travelling alone")
    assert spanish != "Child travelling alone" and spanish in page and "Child travelling alone" in page
    assert "Letter of exemption" in page and "Niño Solo" in page
    for dl in re.findall(r'<dl class="summary">(.*?)</dl>', page, re.S):
        tags = re.findall(r"<(dt|dd)\b", dl)
        assert tags == ["dt", "dd"] * (len(tags) // 2), tags  # every value has its label
    assert audits(AuditAction.VIEW_LETTER) == 1


@pytest.mark.django_db
def test_an_operator_withdraws_a_letter_with_a_reason(rosa, olga, pablo, signed):
    url = f"/staff/letters/{signed.pk}/revoke"
    assert rosa.post(url, {"reason": "x"}).status_code == 404  # NGO staff cannot withdraw
    assert pablo.get(f"/staff/letters/{signed.pk}").status_code == 404  # nor see another NGO's letter
    olga.post(url, {"reason": "  "})
    signed.refresh_from_db()
    assert signed.revoked_at is None
    olga.post(url, {"reason": "Issued on a forged birth certificate"})
    olga.post(url, {"reason": "again"})
    signed.refresh_from_db()
    assert signed.revoked_by == get_user_model().objects.get(username="olga")
    assert audits(AuditAction.REVOKE_LETTER) == 1
    answer = Client().get("/verify", {"code": signed.signed, "format": "json"}).json()
    assert answer["verdict"] == "NO LONGER VALID" and answer["reason"] == "revoked"
    assert "forged" not in str(answer)
    page = olga.get(f"/staff/households/{signed.household.reference}/letters").content.decode()
    assert "NO LONGER VALID" in page and "forged birth certificate" in page


@pytest.mark.django_db
def test_the_request_sent_again_after_a_decision_is_still_one_request(register, rosa, olga):
    """Rosa's page hung; she presses "Ask" again after an operator already declined: no second request."""
    child = register(CHILD)
    url = f"/staff/households/{child.reference}/exemption"
    key = page_key(rosa, url)
    rosa.post(url, {"case": "child", "idempotency_key": key})
    decide(olga, ExemptionRequest.objects.get(), "decline", "Wrong case")
    again = rosa.post(url, {"case": "child", "idempotency_key": key})
    assert again.status_code == 302 and ExemptionRequest.objects.count() == 1
    assert audits(AuditAction.REQUEST_EXEMPTION_LETTER) == 1
    rosa.post(url, {"case": "child", "idempotency_key": page_key(rosa, url)})  # a new page asks anew
    assert ExemptionRequest.objects.count() == 2


def page_key(client: Client, url: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', client.get(url).content.decode())[1]
