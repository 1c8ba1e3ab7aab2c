"""Staff sessions end after a short idle time and a working day; applicants keep theirs for weeks,
except on a phone they said is not theirs."""

import time

import pytest
from django.test import Client

from shared import sessions
from tests.conftest import last_code


def _age(client: Client, seconds: int, key: str = sessions.SEEN) -> None:
    """As if the last request (or the sign-in) was `seconds` ago."""
    session = client.session
    session[key] = int(time.time()) - seconds
    session.save()


@pytest.mark.django_db
def test_a_staff_session_ends_after_half_an_hour_unused(rosa, settings):
    assert rosa.get("/staff/").status_code == 200
    _age(rosa, settings.STAFF_SESSION_IDLE_MINUTES * 60 - 90)
    assert rosa.get("/staff/").status_code == 200  # used again: the idle time starts over
    _age(rosa, settings.STAFF_SESSION_IDLE_MINUTES * 60 + 5)
    response = rosa.get("/staff/")
    assert response.status_code == 302 and response["Location"].startswith("/staff/login")
    assert rosa.get("/staff/").status_code == 302


@pytest.mark.django_db
def test_a_staff_session_ends_after_a_working_day_even_in_use(rosa, settings):
    _age(rosa, settings.STAFF_SESSION_HOURS * 3600 + 5, key=sessions.STARTED)
    assert rosa.get("/staff/")["Location"].startswith("/staff/login")


@pytest.mark.django_db
def test_a_staff_session_cookie_does_not_outlive_the_idle_time(rosa, settings):
    assert rosa.cookies["sessionid"]["max-age"] == settings.STAFF_SESSION_IDLE_MINUTES * 60


@pytest.mark.django_db
def test_an_applicant_on_their_own_phone_keeps_a_long_session(maria):
    _age(maria, 7 * 24 * 3600)
    assert maria.get("/household/new").status_code == 200


@pytest.mark.django_db
def test_not_my_phone_signs_out_after_fifteen_minutes_and_clears_the_phone(client, settings):
    client.post("/signin", {"address": "+528681234567", "shared_device": "on"})
    client.post("/signin/code", {"code": last_code("+528681234567")})
    client.post("/recovery-codes")
    page = client.get("/household/new")
    assert page.status_code == 200 and 'data-shared-device="15"' in page.content.decode()
    assert not client.cookies["sessionid"]["max-age"]  # gone when the browser closes
    _age(client, settings.SHARED_DEVICE_IDLE_MINUTES * 60 + 5)
    response = client.get("/household/new")
    assert response["Location"] == "/signin"
    assert response["Clear-Site-Data"] == '"cache", "storage"'


@pytest.mark.django_db
def test_staff_on_a_shared_computer_are_signed_out_sooner(casa_del_migrante, settings):
    from tests.conftest import staff_client

    shared = staff_client("lucia", "ngo", casa_del_migrante, shared_device=True)
    assert 'data-shared-device="15"' in shared.get("/staff/").content.decode()
    _age(shared, settings.SHARED_DEVICE_IDLE_MINUTES * 60 + 5)
    assert shared.get("/staff/")["Location"].startswith("/staff/login")
