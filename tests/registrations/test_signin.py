"""Signing in with a one-time code: expiry, wrong tries, throttling, recovery."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from registrations.models import Applicant, RecoveryCode, SigninCode
from shared.models import OutboundMessage
from tests.conftest import FAMILY, household_post, last_code, sign_in

PHONE = "+528681234567"


@pytest.mark.django_db
def test_it_sends_a_code_and_signs_in(client):
    response = client.post("/signin", {"address": "868 123 4567"})
    assert response.status_code == 302
    assert response["Location"] == "/signin/code"
    message = OutboundMessage.objects.get()
    assert message.address == PHONE and message.channel == "sms"
    page = client.get("/signin/code")
    assert "•••4567" in page.content.decode()
    response = client.post("/signin/code", {"code": last_code(PHONE)})
    assert response["Location"] == "/recovery-codes"
    assert Applicant.objects.filter(address_index=Applicant.index_of(PHONE)).exists()


@pytest.mark.django_db
def test_it_stores_codes_only_as_hashes(client):
    client.post("/signin", {"address": PHONE})
    code = last_code(PHONE)
    stored = SigninCode.objects.get()
    assert code not in stored.code_hash


@pytest.mark.django_db
def test_it_answers_the_same_for_known_and_unknown_addresses(client):
    sign_in(Client(), PHONE)
    known = client.post("/signin", {"address": PHONE})
    unknown = Client().post("/signin", {"address": "+528680000000"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert Client().get("/signin/code").status_code == 302  # no address pending: back to start


@pytest.mark.django_db
def test_it_refuses_an_expired_code(client, settings):
    client.post("/signin", {"address": PHONE})
    SigninCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/signin/code", {"code": last_code(PHONE)})
    assert response.status_code == 200
    assert "This code has expired" in response.content.decode()
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_it_allows_five_wrong_tries_then_asks_for_a_new_code(client):
    client.post("/signin", {"address": PHONE})
    right = last_code(PHONE)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for left in (4, 3, 2, 1):
        page = client.post("/signin/code", {"code": wrong}).content.decode()
        assert f"You can try {left} more times" in page
    page = client.post("/signin/code", {"code": wrong}).content.decode()
    assert "wrong code 5 times" in page
    page = client.post("/signin/code", {"code": right}).content.decode()
    assert "wrong code 5 times" in page
    assert not Applicant.objects.exists()


@pytest.mark.django_db
def test_it_sends_at_most_three_codes_an_hour(client):
    for _ in range(3):
        assert client.post("/signin", {"address": PHONE}).status_code == 302
    response = client.post("/signin", {"address": PHONE})
    page = response.content.decode()
    assert response.status_code == 200
    assert "sent 3 codes to this address in the last hour" in page
    assert 1 <= int(re.search(r"in (\d+) minutes", page).group(1)) <= 60
    assert OutboundMessage.objects.count() == 3


@pytest.mark.django_db
def test_it_explains_a_badly_typed_code_and_address(client):
    page = client.post("/signin", {"address": "12ab"}).content.decode()
    assert "Enter a phone number like +52 868 123 4567" in page
    assert "There is a problem" in page
    client.post("/signin", {"address": PHONE})
    page = client.post("/signin/code", {"code": "12"}).content.decode()
    assert "Enter the code as 6 numbers" in page


@pytest.mark.django_db
def test_the_session_lasts_thirty_days(client, settings):
    sign_in(client, PHONE)
    assert settings.SESSION_COOKIE_AGE == 30 * 24 * 3600
    assert client.cookies["sessionid"]["max-age"] == 30 * 24 * 3600


@pytest.mark.django_db
def test_it_shows_recovery_codes_once_at_first_sign_in(client):
    client.post("/signin", {"address": PHONE})
    client.post("/signin/code", {"code": last_code(PHONE)})
    page = client.get("/recovery-codes").content.decode()
    assert "Write down your recovery codes" in page
    assert RecoveryCode.objects.count() == 8
    client.post("/recovery-codes")
    assert client.get("/recovery-codes")["Location"] == "/household"


@pytest.mark.django_db
def test_a_lost_phone_signs_in_with_a_recovery_code_and_moves_to_a_new_number(client, matamoros, brownsville):
    client.post("/signin", {"address": PHONE})
    client.post("/signin/code", {"code": last_code(PHONE)})
    codes = client.session["recovery_codes_to_show"]
    client.post("/recovery-codes")
    client.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    reference = Applicant.objects.get().household.reference

    new_phone = Client()
    response = new_phone.post(
        "/signin/recover", {"reference": reference.lower().replace("-", " "), "recovery_code": codes[0]}
    )
    assert response["Location"] == "/account/move"
    new_phone.post("/account/move", {"address": "+528687777777"})
    response = new_phone.post("/account/move/code", {"code": last_code("+528687777777")})
    assert response["Location"] == "/household"
    assert Applicant.objects.get().address == "+528687777777"

    again = Client().post("/signin/recover", {"reference": reference, "recovery_code": codes[0]})
    assert "Each recovery code works only once" in again.content.decode()


@pytest.mark.django_db
def test_it_limits_wrong_recovery_codes(client, matamoros, brownsville):
    sign_in(client, PHONE)
    client.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    reference = Applicant.objects.get().household.reference
    for _ in range(5):
        page = Client().post("/signin/recover", {"reference": reference, "recovery_code": "AAAA-AAAA"}).content.decode()
        assert "do not match" in page
    page = Client().post("/signin/recover", {"reference": reference, "recovery_code": "AAAA-AAAA"}).content.decode()
    assert "Too many wrong tries" in page


@pytest.mark.django_db
def test_sign_out_ends_the_session(maria):
    maria.post("/signout")
    assert maria.get("/household")["Location"] == "/signin"
