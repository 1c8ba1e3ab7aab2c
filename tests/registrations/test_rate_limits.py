"""Rate limits: a clear 429 page in the user's language, and limits shared by every server."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from registrations.encryption import blind_index
from registrations.models import RateCounter
from registrations.ratelimit import hit


@pytest.mark.django_db
def test_too_many_sign_in_requests_from_one_connection_get_a_clear_answer(client):
    for n in range(60):
        assert client.post("/signin", {"address": f"+5286800{n:05d}"}).status_code == 302
    response = client.post("/signin", {"address": "+528680099999"})
    page = response.content.decode()
    assert response.status_code == 429 and int(response["Retry-After"]) > 0
    assert "Too many tries came from this connection" in page and "Nothing you saved is lost" in page
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert other.post("/signin", {"address": "+528680099999"}).status_code == 302


@pytest.mark.django_db
def test_the_letter_check_is_limited_too(client):
    window = int(timezone.now().timestamp() // 3600)
    key = f"verify:{blind_index('client', '127.0.0.1')[:32]}:{window}"
    RateCounter.objects.create(key=key, count=599, expires_at=timezone.now() + dt.timedelta(hours=1))
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 200
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 429


@pytest.mark.django_db
def test_a_window_ends_and_counting_starts_again():
    start = timezone.now()
    assert [hit("test", 2, 60, start) for _ in range(3)][-1] > 0
    assert hit("test", 2, 60, start + dt.timedelta(seconds=61)) == 0


@pytest.mark.django_db
def test_an_operator_can_raise_a_limit_for_addresses_many_phones_share(client, settings):
    settings.RATE_LIMITS = {"signin": 2}
    for n in range(2):
        assert client.post("/signin", {"address": f"+5286800{n:05d}"}).status_code == 302
    assert client.post("/signin", {"address": "+528680099999"}).status_code == 429


def test_limits_in_the_environment_are_read_or_refused_loudly(monkeypatch):
    from config.settings import env_counts

    monkeypatch.setenv("RATE_LIMITS", "signin=200, signin-code=400")
    assert env_counts("RATE_LIMITS") == {"signin": 200, "signin-code": 400}
    monkeypatch.setenv("RATE_LIMITS", "signin=lots")
    with pytest.raises(ValueError, match="name=number pairs"):
        env_counts("RATE_LIMITS")
