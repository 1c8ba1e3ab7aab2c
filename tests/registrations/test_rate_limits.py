"""Rate limits: one mechanism, every limit in one table, a clear 429 page, no dodging by header."""

import datetime as dt
import inspect

import pytest
from django.test import Client
from django.utils import timezone

from registrations import models
from shared import ratelimit
from shared.models import RateCounter
from shared.ratelimit import LIMITS, count, peek
from tests.conftest import FAMILY, household_post


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
def test_the_letter_check_is_limited_too(client, settings):
    settings.RATE_LIMITS = {"verify": 2}
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 200
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 200
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 429


@pytest.mark.django_db
def test_a_window_ends_and_counting_starts_again():
    start = timezone.now()
    assert [count("signin", "someone", start) for _ in range(61)][-1].refused
    assert peek("signin", "someone", start).refused
    assert not count("signin", "someone", start + dt.timedelta(seconds=3601)).refused


@pytest.mark.django_db
def test_every_count_is_kept_in_the_shared_table_so_all_workers_see_it():
    start = timezone.now()
    verdicts = [count("register", "applicant:7", start) for _ in range(3)]
    assert [v.used for v in verdicts] == [1, 2, 3]
    stored = RateCounter.objects.get(key__startswith="register:")
    assert stored.count == 3 and stored.expires_at > start
    assert peek("register", "applicant:7", start).used == 4  # what one more would make


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


def test_every_limit_is_declared_in_one_table_and_documented(settings):
    docs = (settings.BASE_DIR / "docs" / "rate-limits.md").read_text()
    for name, limit in LIMITS.items():
        assert f"`{name}`" in docs and str(limit.count) in docs, name
    # A view names its limit; it cannot write a number of its own, and there is no second table.
    assert list(inspect.signature(ratelimit.rate_limit).parameters) == ["name", "methods", "counted"]
    assert not hasattr(models, "Attempt")


def _send_as(client: Client, n: int, **extra) -> int:
    return client.post("/signin", {"address": f"+5286800{n:05d}"}, **extra).status_code


@pytest.mark.parametrize(
    ("hops", "peer", "forwarded", "neighbour"),
    [
        # Behind one proxy, a spoofed entry on the left does not move the limit; another client is counted apart.
        (1, "127.0.0.1", "198.51.100.{n}, 203.0.113.9", "203.0.113.10"),
        # A client reaching gunicorn around the proxy cannot choose its address: it is the peer.
        (1, "203.0.113.9", "198.51.100.{n}", None),
        # Behind two proxies the client is the second entry from the right.
        (2, "10.0.0.2", "198.51.100.{n}, 203.0.113.9, 10.0.0.1", "203.0.113.10, 10.0.0.1"),
    ],
    ids=["spoofed header, one proxy", "around the proxy", "two proxies"],
)
@pytest.mark.django_db
def test_a_client_cannot_move_its_limit_by_writing_a_forwarded_header(settings, hops, peer, forwarded, neighbour):
    settings.BEHIND_TLS_PROXY, settings.PROXY_HOPS = True, hops
    settings.RATE_LIMITS = {"signin": 5}
    client = Client(REMOTE_ADDR=peer)
    codes = [_send_as(client, n, HTTP_X_FORWARDED_FOR=forwarded.format(n=n)) for n in range(8)]
    assert codes == [302] * 5 + [429] * 3
    if neighbour:
        assert _send_as(client, 99, HTTP_X_FORWARDED_FOR=neighbour) == 302


@pytest.mark.django_db
def test_signed_in_sends_count_per_account_not_per_connection(client, settings, matamoros, brownsville):
    """A shelter is one connection: one family's sends never use up another's."""
    from tests.conftest import sign_in

    settings.RATE_LIMITS = {"register": 3}
    first, second = Client(), Client()
    sign_in(first, "+528681110001")
    sign_in(second, "+528681110002")
    empty = {**household_post(FAMILY[:1], matamoros, brownsville), "members-0-given_names": ""}
    assert [first.post("/household/new", empty).status_code for _ in range(3)] == [400] * 3
    assert first.post("/household/new", empty).status_code == 429
    assert second.post("/household/new", empty).status_code == 400


@pytest.mark.django_db
def test_adding_a_person_to_the_form_is_not_counted_as_a_registration(maria, settings, matamoros, brownsville):
    settings.RATE_LIMITS = {"register": 1}
    form = {**household_post(FAMILY[:1], matamoros, brownsville), "add_member": "1"}
    for _ in range(5):
        assert maria.post("/household/new", form).status_code == 200
    form.pop("add_member")
    assert maria.post("/household/new", form).status_code == 302


def test_the_client_address_ignores_a_forwarded_header_without_proxies(rf, settings):
    settings.PROXY_HOPS = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.1", REMOTE_ADDR="127.0.0.1")
    assert ratelimit.client_address(request) == "127.0.0.1"
