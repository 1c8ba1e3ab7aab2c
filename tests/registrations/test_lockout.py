"""Nobody else can lock a phone's owner out: a stranger's tries never spend the owner's codes."""

import pytest
from django.test import Client

from registrations.models import Applicant, SecurityAlert
from tests.conftest import FAMILY, household_post, last_code, sign_in

OWNER = "+528681234567"


def _stranger(n: int = 1) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{n}")


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.mark.django_db
def test_a_stranger_asking_for_codes_and_typing_wrong_ones_leaves_the_owner_able_to_sign_in():
    stranger = _stranger()
    for _ in range(3):
        assert stranger.post("/signin", {"address": OWNER}).status_code == 302
        for _ in range(6):
            stranger.post("/signin/code", {"code": _wrong(last_code(OWNER))})
    assert "sent 3 codes" in stranger.post("/signin", {"address": OWNER}).content.decode()

    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert owner.post("/signin", {"address": OWNER}).status_code == 302
    response = owner.post("/signin/code", {"code": last_code(OWNER)})
    assert response.status_code == 302 and response["Location"] == "/recovery-codes"
    assert Applicant.objects.filter(address_index=Applicant.index_of(OWNER)).exists()


@pytest.mark.django_db
def test_a_code_works_only_in_the_session_that_asked_for_it():
    stranger, owner = _stranger(), Client(REMOTE_ADDR="198.51.100.7")
    owner.post("/signin", {"address": OWNER})
    code = last_code(OWNER)
    stranger.post("/signin", {"address": OWNER})
    assert last_code(OWNER) != code
    # Even the right code of the owner's session does not sign the stranger in...
    assert stranger.post("/signin/code", {"code": code}).status_code == 200
    for _ in range(6):
        stranger.post("/signin/code", {"code": _wrong(code)})
    # ...and the stranger's tries have not spent it.
    assert owner.post("/signin/code", {"code": code}).status_code == 302


@pytest.mark.django_db
def test_many_connections_asking_for_one_phone_stop_at_a_ceiling_and_tell_operators():
    for n in range(4):
        for _ in range(3):
            _stranger(n).post("/signin", {"address": OWNER})
    assert SecurityAlert.objects.count() == 1
    alert = SecurityAlert.objects.get()
    assert alert.kind == "codes" and alert.masked_address.endswith("4567") and OWNER not in alert.masked_address
    page = _stranger(9).post("/signin", {"address": OWNER}).content.decode()
    assert "Sign in with a recovery code, or ask an NGO for help" in page


@pytest.mark.django_db
def test_wrong_recovery_codes_from_a_stranger_never_block_the_household(matamoros, brownsville):
    owner = Client(REMOTE_ADDR="198.51.100.7")
    owner.post("/signin", {"address": OWNER})
    owner.post("/signin/code", {"code": last_code(OWNER)})
    codes = owner.session["recovery_codes_to_show"]
    owner.post("/recovery-codes")
    owner.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    reference = Applicant.objects.get().household.reference

    for n in range(5):
        for _ in range(5):
            page = _stranger(n).post("/signin/recover", {"reference": reference, "recovery_code": "AAAA-AAAA"})
            assert "do not match" in page.content.decode()
        blocked = _stranger(n).post("/signin/recover", {"reference": reference, "recovery_code": "AAAA-AAAA"})
        assert "Too many wrong tries for this reference from this connection" in blocked.content.decode()
    assert SecurityAlert.objects.filter(kind="recovery", household_reference=reference).count() == 1

    lost_phone = Client(REMOTE_ADDR="198.51.100.8")
    response = lost_phone.post("/signin/recover", {"reference": reference, "recovery_code": codes[0]})
    assert response["Location"] == "/account/move"


@pytest.mark.django_db
def test_the_owner_can_still_sign_in_with_a_code_after_typing_it_wrong_elsewhere():
    """Wrong tries in one session end that session's code, not the phone's sign-in."""
    first = Client(REMOTE_ADDR="198.51.100.7")
    first.post("/signin", {"address": OWNER})
    for _ in range(5):
        first.post("/signin/code", {"code": _wrong(last_code(OWNER))})
    second = Client(REMOTE_ADDR="198.51.100.8")
    sign_in(second, OWNER)
    assert second.get("/household").status_code in (200, 302)
