"""Every form that changes something is safe to send twice, through shared.idempotency.

On a weak line people press "Send" again; a shelter worker does too. The second submit must get
the first one's result, not make a second ticket, notice, comment or request.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from registrations.models import Household, VulnerabilityRequest
from staff.models import HelpTicket, Notice, NoticeComment, TicketReply
from tests.conftest import FAMILY, household_post

POST_FORM = re.compile(r"<form\b[^>]*method=\"post\"[^>]*>(.*?)</form>", re.S | re.I)
# Forms with no resend key, and why a second submit changes nothing more than the first did.
SAFE_BY_NATURE = {
    "base.html": "sign out: ends the session, again or not",
    "staff/base_staff.html": "staff sign out: ends the session",
    "staff/login.html": "sign in: makes a session, not a record",
    "registrations/signin.html": "asks for a code; at most SIGNIN_CODES_PER_HOUR are sent",
    "registrations/signin_code.html": "a code signs in once; the resend form asks for another code (limited)",
    "registrations/recover.html": "a recovery code signs in once",
    "registrations/recovery_codes.html": "only forgets the codes shown in this session",
    "registrations/move_account.html": "asks for a code to the new number (limited)",
    "registrations/move_account_code.html": "the code moves the account once; a resend finds the code used",
    "registrations/share.html": "sharing with an organisation already shared with changes nothing",
    "registrations/_status.html": "confirming changes an offered appointment only: a confirmed one stays as it is",
    "registrations/appointment_cancel.html": "cancels a live appointment only: a cancelled one has none",
    "letters/check_in.html": "checks in a family not yet checked in, once",
    "registrations/household.html": "ends the other sign-ins: ending them again ends nothing more",
    "staff/signin_move.html": "moving the sign-in to the address it already has changes nothing (staff.numbers)",
    "staff/member_move.html": "a person already in the target household is not moved again",
    "staff/vulnerability_queue.html": "a decision applies to a request still waiting, once",
    "errors/key_in_flight.html": "sends again the fields it was given, the resend key among them",
    "letters/exemption_queue.html": "a decision applies to a request still waiting, once",
    "letters/household_letters.html": "a letter already withdrawn is not withdrawn again",
    "staff/security.html": "unlocking an account that is unlocked changes nothing (it is audited again)",
}


def post_forms() -> list[tuple[str, str]]:
    root = Path(settings.BASE_DIR) / "templates"
    found = []
    for template in sorted(root.rglob("*.html")):
        for body in POST_FORM.findall(template.read_text(encoding="utf-8")):
            found.append((str(template.relative_to(root)), body))
    return found


def test_every_form_that_changes_something_carries_a_resend_key():
    forms = post_forms()
    assert len(forms) > 20
    missing = sorted({name for name, body in forms if "idempotency_key" not in body and name not in SAFE_BY_NATURE})
    assert missing == [], (
        f"POST forms without a resend key (add one, or say in SAFE_BY_NATURE why none is needed): {missing}"
    )
    stale = sorted(set(SAFE_BY_NATURE) - {name for name, _body in forms})
    assert stale == []


def key_of(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)


@pytest.mark.django_db
def test_a_ticket_and_its_reply_sent_twice_are_one_each(rosa, olga):
    key = key_of(rosa.get("/staff/tickets").content.decode())
    data = {"category": "signin", "description": "No code arrives", "language": "es", "idempotency_key": key}
    first, second = rosa.post("/staff/tickets", data), rosa.post("/staff/tickets", data)
    ticket = HelpTicket.objects.get()
    assert first["Location"] == second["Location"] == f"/staff/tickets/{ticket.pk}"

    key = key_of(olga.get(f"/staff/tickets/{ticket.pk}").content.decode())
    for _ in range(2):
        olga.post(f"/staff/tickets/{ticket.pk}", {"body": "Try the voice call", "idempotency_key": key})
    assert TicketReply.objects.count() == 1
    fresh = key_of(olga.get(f"/staff/tickets/{ticket.pk}").content.decode())
    assert fresh != key  # a new reply on a new visit is a new reply
    olga.post(f"/staff/tickets/{ticket.pk}", {"body": "Any news?", "idempotency_key": fresh})
    assert TicketReply.objects.count() == 2


@pytest.mark.django_db
def test_a_notice_and_its_comment_sent_twice_are_one_each(olga, rosa):
    key = key_of(olga.get("/staff/notices/new").content.decode())
    data = {
        "title": "Port closed",
        "body": "Works",
        "takes_effect_on": "2030-01-01",
        "affects": "All",
        "idempotency_key": key,
    }
    assert olga.post("/staff/notices/new", data)["Location"] == olga.post("/staff/notices/new", data)["Location"]
    notice = Notice.objects.get()
    key = key_of(rosa.get(f"/staff/notices/{notice.pk}").content.decode())
    for _ in range(2):
        rosa.post(f"/staff/notices/{notice.pk}/comment", {"body": "Thank you", "idempotency_key": key})
    assert NoticeComment.objects.count() == 1


@pytest.mark.django_db
def test_asking_for_urgent_help_on_six_visits_leaves_one_request_to_review(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    for urgency in ("3", "3", "3", "2", "2", "1"):
        page = maria.get("/household/urgent-help").content.decode()
        data = {"category": "medical", "urgency": urgency, "description": "Insulin", "idempotency_key": key_of(page)}
        assert maria.post("/household/urgent-help", data)["Location"] == "/household"
    request = VulnerabilityRequest.objects.get()
    assert request.urgency == 1 and request.household == Household.objects.get()
    assert "You already asked on" in maria.get("/household/urgent-help").content.decode()


@pytest.mark.django_db
def test_request_text_is_cleaned_like_other_answers(maria, matamoros, brownsville, olga):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    described = "Fever\u202e since Monday\u200b\x07\nneeds a doctor"
    maria.post("/household/urgent-help", {"category": "medical", "urgency": "1", "description": described})
    assert VulnerabilityRequest.objects.get().description == "Fever since Monday\nneeds a doctor"
    page = olga.get("/staff/review/vulnerability").content.decode()
    assert '<p class="typed" dir="auto">Fever since Monday<br>needs a doctor</p>' in page


@pytest.mark.django_db
def test_a_sign_in_move_sent_twice_tells_the_phones_once(maria, rosa, casa_del_migrante, matamoros, brownsville):
    from notifications.models import Notification
    from shared.models import AuditEntry

    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    maria.post("/household/share", {"organisation": casa_del_migrante.pk})
    reference = Household.objects.get().reference
    data = {"address": "+528685550101", "date_of_birth": "12/04/1990"}
    for _ in range(2):
        assert rosa.post(f"/staff/households/{reference}/sign-in", data)["Location"] == f"/staff/households/{reference}"
    assert Notification.objects.filter(kind="signin_moved").count() == 2  # the new phone and the old one, once each
    assert AuditEntry.objects.filter(action="move sign-in").count() == 1
