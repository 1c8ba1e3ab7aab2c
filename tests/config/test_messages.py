"""Messages ("Person added.") reach the next page as with Django's own storage, whose back-ends are now built
only when a request has or adds a message (config/messages.py)."""

import pytest
from django.contrib import messages
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from config.messages import LazyFallbackStorage


def _request(cookies: dict, session: SessionStore):
    request = RequestFactory().get("/household")
    request.COOKIES.update(cookies)
    request.session = session
    return request


def _sent(texts: list[str], session: SessionStore) -> dict:
    """The cookies of a response to a request that added these messages."""
    storage = LazyFallbackStorage(_request({}, session))
    for text in texts:
        storage.add(messages.SUCCESS, text)
    response = HttpResponse()
    storage.update(response)
    return {name: morsel.value for name, morsel in response.cookies.items()}


@pytest.mark.parametrize("texts", [["Person added."], ["Changes saved.", "x" * 3000]])  # the second beyond a cookie
def test_a_message_reaches_the_next_page_once(texts):
    session = SessionStore()
    cookies = _sent(texts, session)
    assert "messages" in cookies
    next_page = LazyFallbackStorage(_request(cookies, session))
    assert [str(m) for m in next_page] == texts
    response = HttpResponse()
    next_page.update(response)
    assert response.cookies["messages"]["max-age"] == 0  # shown once, then gone
    assert not list(LazyFallbackStorage(_request({}, session)))


def test_a_request_with_no_message_builds_no_back_end():
    class Untouched:
        def __getattr__(self, name):
            raise AssertionError("the session was read")

        __contains__ = __getitem__ = __getattr__

    storage = LazyFallbackStorage(_request({}, Untouched()))
    assert not list(storage)
    storage.update(HttpResponse())
    assert "storages" not in vars(storage)
