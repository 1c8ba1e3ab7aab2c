"""The database goes away, turns read-only or fills up: a calm "try again" page, nothing half-written."""

import pytest
from django.db import DatabaseError, OperationalError, connection
from django.test import Client

from registrations.models import Household, Member
from shared.models import IdempotencyKey
from shared.outages import is_database_unavailable
from tests.conftest import FAMILY, household_post, read_only_database

TRY_AGAIN = "Try again in a minute"


def assert_try_again(response) -> None:
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    body = response.content.decode()
    assert TRY_AGAIN in body
    assert "Traceback" not in body and "OperationalError" not in body


def test_it_shows_try_again_when_the_database_fails_before_the_view(maria, monkeypatch):
    def down(request):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("registrations.middleware._load", down)
    maria.raise_request_exception = False

    assert_try_again(maria.get("/household"))


def test_it_shows_try_again_when_the_session_cannot_be_saved(db, monkeypatch):
    """Django's session store answers "session interrupted" (400) when saving fails; a full or
    stopped database is an outage, and gets the same page as any other."""
    from registrations.models import AccountSession as Session

    client = Client()
    client.post("/signin", {"address": "+528681234567"})  # a session now exists

    def full(self, *args, **kwargs):
        raise OperationalError("could not extend file: No space left on device")

    monkeypatch.setattr(Session, "save", full)
    client.raise_request_exception = False

    assert_try_again(client.post("/signin", {"address": "+528681234568"}))


def test_a_bad_request_that_is_not_an_outage_says_what_to_do(db, client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    response = client.post("/signin", {f"f{i}": "x" for i in range(10)})
    assert response.status_code == 400
    assert "We could not use that request" in response.content.decode()


def test_it_shows_try_again_when_the_database_fails_during_a_submit(maria, matamoros, brownsville, monkeypatch):
    def down(*args, **kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr("registrations.households.register_household", down)

    assert_try_again(maria.post("/household/new", household_post(FAMILY, matamoros, brownsville)))
    assert Household.objects.count() == 0


def test_it_shows_try_again_when_the_drivers_own_error_comes_unwrapped(maria, monkeypatch):
    """Django wraps the driver's errors in its own, but not all: closing a server-side cursor (a list of choices
    read with .iterator() on PostgreSQL) on a connection the server dropped raises the driver's (a database
    restart drill met it as a 500)."""

    def dropped(iterator):
        raise connection.Database.OperationalError("consuming input failed: server closed the connection unexpectedly")

    monkeypatch.setattr("registrations.forms.PlaceChoiceIterator.__iter__", dropped)
    maria.raise_request_exception = False

    assert_try_again(maria.get("/household/new"))
    assert is_database_unavailable(connection.Database.InterfaceError("connection already closed"))
    assert not is_database_unavailable(connection.Database.ProgrammingError("syntax error"))


def test_it_treats_a_read_only_postgres_as_unavailable_and_other_errors_as_bugs():
    class ReadOnly(Exception):
        sqlstate = "25006"

    read_only = DatabaseError("cannot execute INSERT in a read-only transaction")
    read_only.__cause__ = ReadOnly()
    assert is_database_unavailable(read_only)
    assert not is_database_unavailable(DatabaseError("syntax error"))
    assert not is_database_unavailable(ValueError("bug"))


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_it_refuses_a_submit_calmly_while_the_database_is_read_only_and_saves_it_once_after(matamoros, brownsville):
    from tests.conftest import sign_in

    maria = Client()
    sign_in(maria, "+528681234567")
    data = household_post(FAMILY, matamoros, brownsville, key="read-only-1")
    with read_only_database():
        assert_try_again(maria.post("/household/new", data))
    assert Household.objects.count() == 0
    assert not IdempotencyKey.objects.filter(key="read-only-1").exists()

    response = maria.post("/household/new", data)  # the phone sends the same form again

    assert response.status_code == 302
    assert Household.objects.count() == 1
    assert Member.objects.count() == len(FAMILY)
    _assert_intact()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.sqlite_only  # SQLite's max_page_count stands in for a full disk (PostgreSQL: scripts/fault_disk_full.py)
def test_it_refuses_a_submit_calmly_when_the_disk_is_full_and_nothing_is_corrupted(matamoros, brownsville):
    from tests.conftest import sign_in

    maria = Client()
    sign_in(maria, "+528681234567")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA page_count")
        pages = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA max_page_count = {pages}")
    try:
        big = [
            (
                f"Persona {chr(97 + i // 26)}{chr(97 + i % 26)}",
                "Llena " + "x" * 90,
                "1990-01-01",
                "F",
                "head" if i == 0 else "child",
            )
            for i in range(20)
        ]
        response = maria.post("/household/new", household_post(big, matamoros, brownsville, key="full-1"))
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA max_page_count = 1073741823")
    assert_try_again(response)
    assert Household.objects.count() == 0
    _assert_intact()


def _assert_intact() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA integrity_check")
            assert cursor.fetchone()[0] == "ok"


def _serve(path: str) -> int:
    """One request through the WSGI handler, as gunicorn sends it: unlike the test client, it lets
    Django check its kept connection at the start of the request."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory

    statuses = []
    body = WSGIHandler()(RequestFactory().get(path).environ, lambda status, headers: statuses.append(status))
    b"".join(body)
    return int(statuses[0].split()[0])


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_kept_connection_the_server_ended_is_replaced_before_the_next_request_without_asking_the_server():
    """PostgreSQL restarted, or ended this worker's backend: the next request opens a new connection
    and succeeds, and the check that finds out sends nothing to the server (no SELECT 1 per request)."""
    import select

    import psycopg

    connection.ensure_connection()
    assert _serve("/healthz") == 200
    kept = connection.connection
    sent: list[str] = []
    original_cursor = kept.cursor
    kept.cursor = lambda *args, **kwargs: sent.append("a statement") or original_cursor(*args, **kwargs)
    assert connection.is_usable() and not sent  # a live connection: the socket was asked, not the server

    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [kept.info.backend_pid])
    poller = select.poll()
    poller.register(kept.pgconn.socket, select.POLLIN)
    assert poller.poll(5000)  # the server's goodbye has arrived

    assert _serve("/healthz") == 200  # not the 503 page: the ended connection was replaced first
    assert connection.connection is not kept
