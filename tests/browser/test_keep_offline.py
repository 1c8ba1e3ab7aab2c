"""Maria keeps her household page on her phone, reads it with no signal, and removes it again.

The page is kept only when she asks (docs/offline-drafts.md): cita.js puts a copy in the
"cita-kept" cache and the service worker shows it when /household cannot be fetched.
"""

import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from registrations.models import Household, Member
from tests.browser.conftest import go_offline, go_online, sign_in
from tests.browser.helpers import fill_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

KEEP = "button:has-text('Keep this page on this phone')"
FORGET = "button:has-text('Remove this page from this phone')"
NOTE = "[data-kept-note]"
KEPT_ON = "Kept on this phone so you can read it offline. Last updated: "
OFFLINE = "You are offline"
PEOPLE = ("María José Pérez Rojas", "Luis Pérez Rojas")


def _household_page(page, server) -> str:
    """Signed in and registered, on /household with the service worker in control: the reference."""
    sign_in(page, server)
    fill_household(page, 2)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    # The service worker controls the pages from here on, as on a phone that used Cita before.
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{server}/household")
    page.wait_for_selector(f"{KEEP}:visible")
    return Household.objects.get().reference


def _keep(page) -> None:
    page.click(KEEP)
    page.wait_for_selector(f"{NOTE}:visible")


def _kept_at(page) -> int | None:
    value = page.evaluate("localStorage.getItem('cita-kept-at')")
    return int(value) if value else None


def _shown_date(page, kept_at: int) -> str:
    """The date as the note writes it, in the page's language."""
    return page.evaluate("(at) => new Date(at).toLocaleString(document.documentElement.lang)", kept_at)


def _open(page, url: str) -> str:
    """What the phone shows at url: the page's text, or the browser's own error."""
    try:
        page.goto(url)
    except PlaywrightError as error:  # no service worker answered: Chromium's error page
        return error.message
    return page.inner_text("body")


def _assert_kept_copy(page, reference: str, kept_at: int) -> None:
    assert page.inner_text("h1") == "Your household"
    assert page.inner_text(".reference") == reference
    people = page.inner_text("#member-list")
    assert all(name in people for name in PEOPLE)
    assert page.is_visible(NOTE)
    assert page.inner_text(NOTE) == KEPT_ON + _shown_date(page, kept_at)
    assert page.is_visible(FORGET) and not page.is_visible(KEEP)


def test_keeping_the_page_says_when_it_was_kept_and_offers_to_remove_it(server, page):
    _household_page(page, server)
    assert not page.is_visible(NOTE)
    assert not page.is_visible(FORGET)

    before = time.time() * 1000
    _keep(page)
    kept_at = _kept_at(page)
    assert before - 1000 <= kept_at <= time.time() * 1000 + 1000
    assert page.inner_text(NOTE) == KEPT_ON + _shown_date(page, kept_at)
    assert str(time.localtime(kept_at / 1000).tm_year) in page.inner_text(NOTE)
    assert page.is_visible(FORGET)
    assert not page.is_visible(KEEP)  # one button at a time
    assert page.evaluate("caches.open('cita-kept').then((c) => c.match('/household')).then((r) => !!r)")

    page.reload()  # online: still kept, and the copy brought up to date
    page.wait_for_function("(at) => +localStorage.getItem('cita-kept-at') > at", arg=kept_at)
    assert page.inner_text(NOTE).startswith(KEPT_ON)
    assert page.is_visible(FORGET) and not page.is_visible(KEEP)


def test_offline_the_kept_page_is_shown_with_the_date_it_was_kept(server, context, page):
    reference = _household_page(page, server)
    _keep(page)
    # Kept an hour ago: offline, the page must not claim to be newer than that.
    page.evaluate("localStorage.setItem('cita-kept-at', String(Date.now() - 3600e3))")
    kept_at = _kept_at(page)

    go_offline(context, page)
    page.reload()
    assert OFFLINE not in page.inner_text("main")
    _assert_kept_copy(page, reference, kept_at)
    assert _kept_at(page) == kept_at

    # From any other page, the offline page leads to it.
    assert OFFLINE in _open(page, f"{page.url}/details")
    with page.expect_navigation(url="**/household"):
        page.click("text=See your household page kept on this phone")
    _assert_kept_copy(page, reference, kept_at)

    # Back online, the next visit keeps what the server says now.
    go_online(context)
    partner = Member.objects.get(relationship="partner")
    partner.given_names = "Luis Alberto"
    partner.save()
    page.goto(f"{server}/household")
    page.wait_for_function("(at) => +localStorage.getItem('cita-kept-at') > at", arg=kept_at)
    go_offline(context, page)
    page.reload()
    assert "Luis Alberto Pérez Rojas" in page.inner_text("#member-list")
    assert page.inner_text(".reference") == reference


def test_a_network_that_fails_while_the_phone_thinks_it_is_online_shows_the_old_date(server, context, page):
    """Signal bars but no data: the worker shows the kept copy, which must not re-keep itself as new."""
    reference = _household_page(page, server)
    _keep(page)
    page.evaluate("localStorage.setItem('cita-kept-at', String(Date.now() - 3600e3))")
    kept_at = _kept_at(page)

    failed = []
    context.route("**/household", lambda route: (failed.append(route.request.url), route.abort("internetdisconnected")))
    page.reload()
    assert failed  # the worker asked the network first
    assert page.evaluate("navigator.onLine")
    _assert_kept_copy(page, reference, kept_at)
    page.wait_for_load_state("networkidle")
    assert _kept_at(page) == kept_at
    assert page.inner_text(NOTE) == KEPT_ON + _shown_date(page, kept_at)


def test_removing_the_page_from_the_phone_leaves_only_the_offline_page(server, context, page):
    reference = _household_page(page, server)
    _keep(page)
    page.click(FORGET)
    page.wait_for_selector(f"{KEEP}:visible")
    assert not page.is_visible(NOTE)
    assert not page.is_visible(FORGET)
    assert _kept_at(page) is None
    assert "cita-kept" not in page.evaluate("caches.keys()")

    go_offline(context, page)
    shown = _open(page, f"{server}/household")
    assert OFFLINE in page.inner_text("h1")
    assert reference not in shown
    assert not any(name in shown for name in PEOPLE)
    assert not page.is_visible("text=See your household page kept on this phone")


def test_signing_out_clears_the_kept_page(server, context, page):
    reference = _household_page(page, server)
    _keep(page)
    page.click("text=Sign out")
    page.wait_for_url(f"{server}/")
    assert _kept_at(page) is None
    assert "cita-kept" not in page.evaluate("caches.keys()")

    go_offline(context, page)
    shown = _open(page, f"{server}/household")
    assert reference not in shown
    assert not any(name in shown for name in PEOPLE)


def test_signing_out_clears_the_kept_page_even_without_clear_site_data(server, context, page, monkeypatch):
    """A browser or proxy that drops Clear-Site-Data: the script alone clears the kept copy."""
    from config import pwa

    respond = pwa.NoStoreMiddleware.__call__

    def without_clear_site_data(self, request):
        response = respond(self, request)
        del response["Clear-Site-Data"]
        return response

    monkeypatch.setattr(pwa.NoStoreMiddleware, "__call__", without_clear_site_data)
    reference = _household_page(page, server)
    _keep(page)
    page.click("text=Sign out")
    page.wait_for_url(f"{server}/")
    assert page.evaluate("navigator.serviceWorker.controller !== null")  # the worker is still there
    assert _kept_at(page) is None
    assert "cita-kept" not in page.evaluate("caches.keys()")

    go_offline(context, page)
    shown = _open(page, f"{server}/household")
    assert OFFLINE in page.inner_text("h1")  # the worker's offline page, not the household
    assert reference not in shown
    assert not any(name in shown for name in PEOPLE)
