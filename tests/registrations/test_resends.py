"""A submit sent again: while the first is still being saved, after it failed, after a worker died."""

import datetime as dt
import threading
from contextlib import contextmanager

import pytest
from django.db import connection
from django.utils import timezone

from registrations.models import Applicant, Household, Member
from shared import idempotency
from shared.idempotency import IN_FLIGHT_TIMEOUT, KeyInFlight, payload_hash
from shared.models import IdempotencyKey
from tests.conftest import FAMILY, household_post


def _claimed_but_unfinished(maria, data: dict, age: dt.timedelta = dt.timedelta(0)) -> IdempotencyKey:
    """What the database holds while a first submit with this form is still being saved."""
    applicant = Applicant.objects.get(pk=maria.session["applicant_id"])
    key = IdempotencyKey.objects.create(
        scope=f"applicant:{applicant.pk}", key=data["idempotency_key"], request_hash=payload_hash(data.items())
    )
    IdempotencyKey.objects.filter(pk=key.pk).update(created_at=timezone.now() - age)
    return key


def scope_of(client) -> str:
    return f"applicant:{client.session['applicant_id']}"


@contextmanager
def first_submit_still_saving(scope: str, data: dict):
    """A first submit of this form that is being applied right now, by another worker.

    On PostgreSQL a real one: a thread holds the key's row lock inside run_once until the block
    ends. SQLite has no row locks; there a live claim is a young claim without a result.
    """
    key, request_hash = data["idempotency_key"], payload_hash(data.items())
    if connection.vendor != "postgresql":
        IdempotencyKey.objects.create(scope=scope, key=key, request_hash=request_hash)
        yield
        return
    started, finish = threading.Event(), threading.Event()

    def apply() -> str:
        started.set()
        finish.wait(10)
        return "/household/registered"

    def first_worker() -> None:
        try:
            idempotency.run_once(scope, key, request_hash, apply)
        finally:
            connection.close()

    worker = threading.Thread(target=first_worker)
    worker.start()
    assert started.wait(10)
    try:
        yield
    finally:
        finish.set()
        worker.join(10)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_resend_while_the_first_is_still_saving_gets_409_with_the_form_ready_to_send_again(
    maria, matamoros, brownsville
):
    data = household_post(FAMILY[:2], matamoros, brownsville, key="slow-line")
    with first_submit_still_saving(scope_of(maria), data):
        response = maria.post("/household/new", data)

    page = response.content.decode()
    assert response.status_code == 409 and response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]  # it holds what was typed
    assert "Still saving what you sent" in page and "will not be saved twice" in page
    assert '<form method="post" action="/household/new">' in page
    for value in ("slow-line", "María José", "Luis", "1988-09-01"):
        assert f'value="{value}"' in page
    assert not Household.objects.exists()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_409_page_is_in_the_applicants_language(maria, matamoros, brownsville):
    data = household_post(FAMILY[:1], matamoros, brownsville, key="lento")
    maria.get("/language/es")
    with first_submit_still_saving(scope_of(maria), data):
        page = maria.post("/household/new", data).content.decode()
    assert 'lang="es"' in page and "Todavía" in page


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_on_postgres_a_claim_no_worker_holds_is_taken_over_at_once(maria, matamoros, brownsville):
    data = household_post(FAMILY[:2], matamoros, brownsville, key="crashed")
    _claimed_but_unfinished(maria, data)  # young, but its worker's row lock is gone

    assert maria.post("/household/new", data)["Location"] == "/household/registered"
    assert Household.objects.count() == 1


@pytest.mark.django_db
def test_a_key_left_by_a_worker_that_died_is_taken_over_and_saves_once(maria, matamoros, brownsville):
    data = household_post(FAMILY[:2], matamoros, brownsville, key="orphan")
    _claimed_but_unfinished(maria, data, age=IN_FLIGHT_TIMEOUT + dt.timedelta(seconds=1))

    assert maria.post("/household/new", data)["Location"] == "/household/registered"
    assert maria.post("/household/new", data)["Location"] == "/household/registered"
    assert Household.objects.count() == 1 and Member.objects.count() == 2
    assert IdempotencyKey.objects.get().result_url == "/household/registered"


@pytest.mark.django_db
def test_a_refused_submit_frees_its_key_so_the_corrected_form_can_use_it(maria, other_client, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    taken = [FAMILY[1], ("Rosa", "Gómez", "1970-03-03", "F", "relative")]
    refused = other_client.post("/household/new", household_post(taken, matamoros, brownsville, key="mine"))
    assert refused.status_code == 400
    assert not IdempotencyKey.objects.filter(key="mine").exists()

    corrected = household_post(taken[1:], matamoros, brownsville, key="mine")
    assert other_client.post("/household/new", corrected)["Location"] == "/household/registered"
    assert Household.objects.count() == 2


@pytest.mark.postgres_only  # SQLite lets one writer in at a time: the second waits for the lock
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_with_one_key_apply_it_once_and_the_second_is_told_it_is_in_flight():
    started, finish = threading.Event(), threading.Event()
    results: list[str] = []

    def slow_first_submit() -> None:
        def apply() -> str:
            started.set()
            finish.wait(10)
            return "/done"

        try:
            results.append(idempotency.run_once("test:one", "k", "h", apply))
        finally:
            connection.close()

    worker = threading.Thread(target=slow_first_submit)
    worker.start()
    assert started.wait(10)
    with pytest.raises(KeyInFlight):
        idempotency.run_once("test:one", "k", "h", lambda: pytest.fail("applied twice"))
    finish.set()
    worker.join(10)

    assert results == ["/done"]
    assert idempotency.run_once("test:one", "k", "h", lambda: pytest.fail("applied twice")) == "/done"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_ngo_worker_resending_at_a_kiosk_gets_409_and_the_page_is_not_kept(
    rosa, casa_del_migrante, matamoros, brownsville
):
    data = household_post(FAMILY[:1], matamoros, brownsville, key="kiosk")
    with first_submit_still_saving(f"organisation:{casa_del_migrante.pk}", data):
        response = rosa.post("/staff/households/new", data)

    assert response.status_code == 409 and "no-store" in response["Cache-Control"]
    assert '<form method="post" action="/staff/households/new">' in response.content.decode()
    assert not Household.objects.exists()


@pytest.mark.django_db
def test_a_resend_with_a_key_that_is_not_one_goes_to_the_household_page(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    for key in ("\x00", "k" * 500):  # PostgreSQL refuses NUL in text: this must not reach the query
        data = household_post(FAMILY[:1], matamoros, brownsville, key=key)
        assert maria.post("/household/new", data)["Location"] == "/household"
