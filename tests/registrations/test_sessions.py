"""A lost or stolen phone: moving the sign-in, a recovery code, or "end every other sign-in"
ends every other session of the account at once; the old phone sees the sign-in page."""

import pytest
from django.test import Client

from notifications.models import Notification
from registrations.models import Applicant, Household
from registrations.signin import issue_recovery_codes
from tests.conftest import FAMILY, household_post, last_code, sign_in

PHONE = "+528681234567"


@pytest.fixture
def two_phones(maria, matamoros, brownsville) -> tuple[Client, Client]:
    """Maria's household, open on her phone and on a second phone (say, the one that is stolen)."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    stolen = Client()
    sign_in(stolen, PHONE)
    assert stolen.get("/household").status_code == 200
    return maria, stolen


def signed_out(client: Client) -> bool:
    response = client.get("/household")
    return response.status_code == 302 and response["Location"] == "/signin"


@pytest.mark.django_db
def test_a_recovery_code_sign_in_ends_every_other_session(two_phones):
    maria, stolen = two_phones
    codes = issue_recovery_codes(Applicant.objects.get())
    new_phone = Client()
    reference = Household.objects.get().reference
    assert new_phone.post("/signin/recover", {"reference": reference, "recovery_code": codes[0]}).status_code == 302
    assert signed_out(stolen) and signed_out(maria)
    assert "María José" in new_phone.get("/household").content.decode()
    # The old phone cannot add people any more either.
    assert stolen.post("/household/members/add", {"given_names": "X"})["Location"] == "/signin"


@pytest.mark.django_db
def test_moving_to_a_new_number_ends_the_other_sessions_but_not_this_one(two_phones):
    maria, stolen = two_phones
    maria.post("/account/move", {"address": "+528687770000"})
    response = maria.post("/account/move/code", {"code": last_code("+528687770000")})
    assert response["Location"] == "/household"
    assert signed_out(stolen)
    assert maria.get("/household").status_code == 200
    # The old number is told it no longer signs in, without names or reference.
    [notice] = [n for n in Notification.objects.filter(kind="signin_moved")]
    assert notice.address == PHONE and Household.objects.get().reference not in notice.body
    assert "María" not in notice.body


@pytest.mark.django_db
def test_sign_out_on_every_other_phone(two_phones):
    maria, stolen = two_phones
    assert "End every other sign-in" in maria.get("/household").content.decode()
    response = maria.post("/account/sign-out-elsewhere", follow=True)
    assert "You are signed out on every other phone and computer." in response.content.decode()
    assert signed_out(stolen)
    assert maria.get("/household").status_code == 200
    # Signing in again on the other phone works as usual.
    sign_in(stolen, PHONE)
    assert stolen.get("/household").status_code == 200


@pytest.mark.django_db
def test_it_costs_no_extra_query_per_request(two_phones, django_assert_max_num_queries):
    maria, _stolen = two_phones
    maria.get("/household")
    with django_assert_max_num_queries(50) as counted:
        maria.get("/household")
    applicant_reads = [q["sql"] for q in counted.captured_queries if '"registrations_applicant"' in q["sql"]]
    assert len(applicant_reads) == 1  # the version is checked on the row read anyway: no query of its own
    assert 'FROM "registrations_accountsession"' in applicant_reads[0]  # and with the session, in one query


@pytest.mark.django_db
def test_a_session_saved_before_the_applicant_was_kept_beside_it_stays_signed_in(two_phones):
    """Sessions moved over from Django's own table (migration 0014) carry no applicant column: the phone
    stays signed in, the column is filled in, and "end every other sign-in" still ends that session."""
    from registrations.models import AccountSession

    maria, stolen = two_phones
    AccountSession.objects.update(applicant=None)
    assert maria.get("/household").status_code == 200 and stolen.get("/household").status_code == 200
    applicant = Applicant.objects.get()
    assert set(AccountSession.objects.values_list("applicant", flat=True)) == {applicant.pk}
    maria.post("/account/sign-out-elsewhere")
    assert signed_out(stolen)
    assert maria.get("/household").status_code == 200
