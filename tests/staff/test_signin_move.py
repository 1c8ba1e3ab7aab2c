"""A stolen phone: an NGO worker who has seen the person moves the household's sign-in to a new number."""

import pytest
from django.test import Client

from notifications.models import Notification
from registrations.models import Applicant, Household
from registrations.signin import issue_recovery_codes
from shared.models import AuditEntry
from tests.conftest import FAMILY, household_post, last_code

OLD, NEW = "+528681234567", "+528685550101"


@pytest.fixture
def shared(maria, casa_del_migrante, matamoros, brownsville) -> Household:
    """Maria registered on her phone and shared her household with Rosa's shelter."""
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))
    maria.post("/household/share", {"organisation": casa_del_migrante.pk})
    return Household.objects.get()


def move(client: Client, household: Household, **data):
    return client.post(f"/staff/households/{household.reference}/sign-in", {"address": NEW, **data})


@pytest.mark.django_db
def test_after_checking_the_birth_date_the_number_moves_and_the_stolen_phone_is_signed_out(rosa, maria, shared):
    assert (
        f"/staff/households/{shared.reference}/sign-in"
        in rosa.get(f"/staff/households/{shared.reference}").content.decode()
    )
    response = move(rosa, shared, date_of_birth="12/04/1990")  # María José, the head of household
    assert response["Location"] == f"/staff/households/{shared.reference}"
    assert Applicant.objects.get().address == NEW
    old_phone = maria.get("/household")
    assert old_phone.status_code == 302 and old_phone["Location"] == "/signin"
    entry = AuditEntry.objects.get(action="move sign-in")
    assert entry.household_reference == shared.reference and entry.values == {"proof": "birth_date"}

    # Message bodies are encrypted at rest: read them, never query them.
    [to_new] = [n for n in Notification.objects.filter(kind="signin_moved") if shared.reference in n.body]
    assert to_new.address == NEW and "entra con este teléfono" in to_new.body  # in the household's language
    to_old = Notification.objects.exclude(pk=to_new.pk).get(kind="signin_moved")
    assert to_old.address == OLD and shared.reference not in to_old.body
    assert all(name not in note.body for note in (to_new, to_old) for name in ("María", "Pérez"))

    new_phone = Client()
    new_phone.post("/signin", {"address": NEW})
    new_phone.post("/signin/code", {"code": last_code(NEW)})
    assert "María José" in new_phone.get("/household").content.decode()


@pytest.mark.django_db
def test_a_recovery_code_from_the_printed_slip_also_proves_it_and_is_used_up(rosa, shared):
    codes = issue_recovery_codes(Applicant.objects.get())
    assert move(rosa, shared, recovery_code=codes[2].lower())["Location"].endswith(shared.reference)
    assert AuditEntry.objects.get(action="move sign-in").values == {"proof": "slip_code"}
    Applicant.objects.update(address=OLD)
    page = move(rosa, shared, recovery_code=codes[2]).content.decode()
    assert "does not match this household" in page


@pytest.mark.django_db
def test_a_check_that_does_not_match_changes_nothing_and_says_what_to_do(rosa, maria, shared):
    response = move(rosa, shared, date_of_birth="1990-04-13")
    page = response.content.decode()
    assert response.status_code == 400 and "does not match this household. Check it with the person." in page
    assert f'value="{NEW}"' in page  # nothing typed is lost
    page = move(rosa, shared).content.decode()
    assert "Enter the head of household&#x27;s date of birth, or a recovery code" in page
    assert Applicant.objects.get().address == OLD and maria.get("/household").status_code == 200
    assert not AuditEntry.objects.filter(action="move sign-in").exists()
    for _ in range(4):
        move(rosa, shared, date_of_birth="1990-04-13")
    assert "Too many checks" in move(rosa, shared, date_of_birth="12/04/1990").content.decode()


@pytest.mark.django_db
def test_a_number_already_used_by_another_account_is_refused(rosa, shared, other_client):
    page = move(rosa, shared, date_of_birth="1990-04-12", address="+528689999999").content.decode()
    assert "already signs in to another account" in page and Applicant.objects.get(household=shared).address == OLD


@pytest.mark.django_db
def test_it_checks_ownership(pablo, shared):
    assert move(pablo, shared, date_of_birth="1990-04-12").status_code == 404
    assert Applicant.objects.get().address == OLD


@pytest.mark.django_db
def test_it_requires_login(client, shared):
    response = client.get(f"/staff/households/{shared.reference}/sign-in")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login")
