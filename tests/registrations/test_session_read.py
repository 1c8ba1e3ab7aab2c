"""Every signed-in request reads its session, applicant, household, place and port in one fixed statement
(registrations/session_read.py): the instances must be exactly what Django's queryset makes, decrypted and
converted alike, on SQLite and on PostgreSQL, and an expired session or a missing household must read as
the queryset reads them."""

import datetime as dt

import pytest
from django.utils import timezone

from registrations.models import AccountSession, Household
from registrations.session_read import read_session
from shared.encryption import blind_index
from tests.conftest import FAMILY, household_post


def _values(row) -> list:
    return [getattr(row, field.attname) for field in row._meta.concrete_fields]


@pytest.mark.django_db
def test_the_rows_are_those_the_queryset_makes_with_their_relations_cached(
    maria, matamoros, brownsville, django_assert_num_queries
):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    Household.objects.update(contact_phone="+528681234567", contact_email="maria@example.org")
    key = maria.session.session_key
    row = read_session(key, timezone.now()).row
    related = ("applicant__household__preferred_port", "applicant__household__current_place")
    expected = AccountSession.objects.select_related(*related).get(session_key=key)
    with django_assert_num_queries(0):
        pairs = [
            (row, expected),
            (row.applicant, expected.applicant),
            (row.applicant.household, expected.applicant.household),
            (row.applicant.household.current_place, expected.applicant.household.current_place),
            (row.applicant.household.preferred_port, expected.applicant.household.preferred_port),
        ]
        assert row.applicant.household.applicant is row.applicant
    for mine, theirs in pairs:
        assert type(mine) is type(theirs) and _values(mine) == _values(theirs)
    household = row.applicant.household
    assert household.contact_phone == "+528681234567" and household.contact_email == "maria@example.org"
    assert household.registered_at.tzinfo is not None and household.preferred_port == brownsville
    household.save()  # an instance made here saves like any other: an UPDATE, not a second row
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_no_household_expired_and_unknown_sessions_read_as_the_queryset_reads_them(maria):
    key = maria.session.session_key
    row = read_session(key, timezone.now()).row
    assert row is not None and row.applicant is not None
    with pytest.raises(Household.DoesNotExist):
        row.applicant.household  # noqa: B018  (the access is the test)
    assert read_session(key, timezone.now() + dt.timedelta(days=365)).row is None
    assert read_session("no-such-session", timezone.now()).row is None
    AccountSession.objects.filter(session_key=key).update(applicant=None)
    assert read_session(key, timezone.now()).row.applicant is None


def test_session_data_checked_once_still_gives_each_request_its_own_and_refuses_a_forgery():
    from registrations.session_store import SessionStore

    store = SessionStore()
    data = store.encode({"shared_device": False, "drafts": ["a"]})
    first = SessionStore().decode(data)
    first["drafts"].append("b")
    first["shared_device"] = True
    assert SessionStore().decode(data) == {"shared_device": False, "drafts": ["a"]}  # read again: not the changed one
    forged = data[:-3] + ("AAA" if not data.endswith("AAA") else "BBB")
    assert SessionStore().decode(forged) == {} and SessionStore().decode(forged) == {}


@pytest.mark.django_db
def test_encrypted_columns_are_read_only_by_the_page_that_shows_one(
    maria, matamoros, brownsville, django_assert_num_queries
):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    Household.objects.update(contact_phone="+528681234567")
    row = read_session(maria.session.session_key, timezone.now()).row
    applicant, household = row.applicant, row.applicant.household
    assert applicant.get_deferred_fields() == {"address"}
    assert household.get_deferred_fields() == {"contact_phone", "contact_email"}
    with django_assert_num_queries(1):
        assert household.contact_phone == "+528681234567"  # decrypted when read, as the queryset's
    household.contact_email = "maria@example.org"
    household.save()  # the blind indexes follow the contacts, deferred or not
    saved = Household.objects.get()
    assert (saved.contact_phone, saved.contact_email) == ("+528681234567", "maria@example.org")
    assert saved.contact_phone_index == blind_index("address", "+528681234567")
    assert saved.contact_email_index == blind_index("address", "maria@example.org")
