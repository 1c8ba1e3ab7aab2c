"""Role boundaries on every staff URL, and an audit entry for every look at a household."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import DatabaseError, transaction

from registrations.models import Household, Member, VulnerabilityRequest
from shared import audit
from shared.models import AuditEntry
from staff.models import HelpTicket
from tests.conftest import FAMILY, household_post


@pytest.fixture
def casa_household(rosa, matamoros, brownsville) -> Household:
    rosa.post("/staff/households/new", household_post(FAMILY[:2], matamoros, brownsville, key="casa"))
    return Household.objects.get()


def household_urls(household: Household) -> list[str]:
    ref = household.reference
    return [f"/staff/households/{ref}", f"/staff/households/{ref}/slip", f"/staff/households/{ref}/vulnerability"]


OPERATOR_URLS = ["/staff/review/vulnerability", "/staff/review/reuse", "/staff/audit", "/staff/notices/new"]


@pytest.mark.django_db
def test_it_requires_login(client, maria, casa_household):
    member = Member.objects.first()
    urls = [
        "/staff/",
        "/staff/households/new",
        "/staff/tickets",
        *household_urls(casa_household),
        *OPERATOR_URLS,
        f"/staff/members/{member.pk}/move",
    ]
    for url in urls:
        for visitor in (client, maria):  # anonymous, and an applicant signed in
            response = visitor.get(url)
            assert response.status_code == 302 and response["Location"].startswith("/staff/login"), url


@pytest.mark.django_db
def test_it_checks_ownership(pablo, casa_household):
    for url in household_urls(casa_household):
        assert pablo.get(url).status_code == 404, url
    assert (
        pablo.post(
            f"/staff/households/{casa_household.reference}/vulnerability",
            {"category": "medical", "urgency": "1", "description": "x", "idempotency_key": "k"},
        ).status_code
        == 404
    )
    assert not VulnerabilityRequest.objects.exists()
    assert not AuditEntry.objects.filter(actor__username="pablo").exists()


@pytest.mark.django_db
def test_ngo_staff_cannot_use_operator_pages(rosa, casa_household):
    member = Member.objects.first()
    for url in [*OPERATOR_URLS, f"/staff/members/{member.pk}/move"]:
        assert rosa.get(url).status_code == 404, url


@pytest.mark.django_db
def test_every_look_at_a_household_is_audited(rosa, olga, casa_household):
    before = AuditEntry.objects.count()
    rosa.get(f"/staff/households/{casa_household.reference}")
    olga.get(f"/staff/households/{casa_household.reference}")
    entries = AuditEntry.objects.order_by("pk")[before:]
    assert [(e.actor.username, e.action, e.household_reference) for e in entries] == [
        ("rosa", "view household", casa_household.reference),
        ("olga", "view household", casa_household.reference),
    ]
    page = olga.get(f"/staff/audit?reference={casa_household.reference}").content.decode()
    assert "rosa" in page and "Looked at the household" in page


@pytest.mark.django_db
def test_the_audit_log_names_each_action_in_the_readers_language(rosa, olga, casa_household):
    rosa.get(f"/staff/households/{casa_household.reference}")
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "es"
    page = olga.get(f"/staff/audit?reference={casa_household.reference}").content.decode()
    assert "Consultó el grupo familiar" in page and "Looked at the household" not in page
    assert AuditEntry.objects.filter(action="view household").count() == 1  # the stored value is unchanged


@pytest.mark.django_db
def test_no_free_text_reaches_the_audit_log(olga):
    operator = get_user_model().objects.get(username="olga")
    with pytest.raises(ValueError):
        audit.record(operator, "had a look")
    assert not AuditEntry.objects.exists()


@pytest.mark.django_db
def test_the_audit_log_cannot_be_changed_or_deleted(rosa, casa_household):
    rosa.get(f"/staff/households/{casa_household.reference}")
    for change in (lambda: AuditEntry.objects.update(action="nothing"), lambda: AuditEntry.objects.all().delete()):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert AuditEntry.objects.filter(action="view household").exists()


@pytest.mark.django_db
def test_tickets_are_seen_by_their_organisation_and_operators_only(rosa, pablo, olga):
    rosa.post(
        "/staff/tickets", {"category": "signin", "description": "She gets no SMS", "device": "Moto E", "language": "ht"}
    )
    ticket = HelpTicket.objects.get()
    assert pablo.get(f"/staff/tickets/{ticket.pk}").status_code == 404
    assert "She gets no SMS" not in pablo.get("/staff/tickets").content.decode()
    olga.post(f"/staff/tickets/{ticket.pk}", {"body": "We resent the code by voice call."})
    page = rosa.get(f"/staff/tickets/{ticket.pk}").content.decode()
    assert "We resent the code by voice call." in page and "Answered" in page


@pytest.mark.django_db
def test_operators_publish_notices_that_ngos_see_and_comment_on(rosa, olga):
    olga.post(
        "/staff/notices/new",
        {
            "title": "Hidalgo closed on Friday",
            "body": "Bridge works.",
            "takes_effect_on": "2099-01-02",
            "affects": "Households at Hidalgo",
        },
    )
    home = rosa.get("/staff/").content.decode()
    assert "Hidalgo closed on Friday" in home
    from staff.models import Notice

    notice = Notice.objects.get()
    rosa.post(f"/staff/notices/{notice.pk}/comment", {"body": "Please tell us the new date."})
    assert "Please tell us the new date." in olga.get(f"/staff/notices/{notice.pk}").content.decode()


@pytest.mark.django_db
def test_bad_staff_input_gets_clear_messages(rosa, olga, casa_household):
    page = rosa.post(
        f"/staff/households/{casa_household.reference}/vulnerability", {"idempotency_key": "k"}
    ).content.decode()
    assert "Choose the situation" in page and "Choose how urgent it is" in page
    page = olga.post("/staff/notices/new", {"takes_effect_on": "31/31/2020"}).content.decode()
    assert "Enter a real date" in page and "Enter what changes" in page


@pytest.mark.django_db
def test_the_operator_admin_needs_the_second_factor(client, olga):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_superuser("nofactor", password="correct horse battery")
    client.login(username="nofactor", password="correct horse battery")
    assert client.get("/operator/").status_code == 302
    assert olga.get("/operator/").status_code == 200
