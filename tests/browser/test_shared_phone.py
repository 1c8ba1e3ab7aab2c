"""One phone, two families: nothing of the first stays for the next (docs/offline-drafts.md).

Maria keeps her household page and leaves a person half-typed, then hands the phone on without
signing out; Ana signs in on it. Then a borrowed phone: Maria ticks "This is not my phone".
"""

import time

import pytest
from playwright.sync_api import Error as PlaywrightError

from registrations.models import AccountSession as Session
from registrations.models import Household
from shared import sessions
from tests.browser.conftest import code_for, sign_in
from tests.browser.helpers import choose_place_and_port, fill_household, fill_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ANA = "+528687654321"
KEEP = "button:has-text('Keep this page on this phone')"
MARIA_PEOPLE = ("María José", "Pérez Rojas")


def _until(page, script: str) -> None:
    """Wait for a condition the page's own script brings about (polled: the CSP forbids eval)."""
    for _ in range(100):
        if page.evaluate(script):
            return
        time.sleep(0.05)
    raise AssertionError(script)


def _what_the_phone_holds(page) -> dict:
    return page.evaluate(
        """async () => ({
          local: Object.keys(localStorage).filter((k) => k.startsWith("cita-draft:") || k.startsWith("cita-kept")),
          session: Object.keys(sessionStorage).filter((k) => k.startsWith("cita-draft:")),
          kept: (await caches.keys()).includes("cita-kept")
            ? (await (await caches.open("cita-kept")).keys()).length : 0,
        })"""
    )


def _offline_household(page, context, server) -> str:
    context.set_offline(True)
    try:
        page.goto(f"{server}/household")
        shown = page.inner_text("body")
    except PlaywrightError as error:
        shown = error.message
    context.set_offline(False)
    return shown


def _register_and_keep(page, server) -> str:
    sign_in(page, server)
    fill_household(page, 2)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{server}/household")
    page.click(KEEP)
    page.wait_for_selector("[data-kept-note]:visible")
    # A person half-typed on the add-a-person page, never sent.
    page.goto(f"{server}/household/members/add")
    page.fill("#id_given_names", "Sofía Abril")
    _until(page, "() => Object.keys(localStorage).some((k) => k.startsWith('cita-draft:'))")
    return Household.objects.get().reference


def test_the_next_applicant_on_a_phone_finds_nothing_of_the_previous_one(server, context, page):
    maria_reference = _register_and_keep(page, server)
    held = _what_the_phone_holds(page)
    assert held["kept"] == 1 and any(k.startswith("cita-draft:") for k in held["local"])

    # Ana signs in on the same phone; Maria never signed out.
    sign_in(page, server, ANA)
    assert _what_the_phone_holds(page) == {"local": [], "session": [], "kept": 0}
    page.goto(f"{server}/household/new")
    assert page.input_value("#id_members-0-given_names") == ""

    choose_place_and_port(page)
    fill_person(page, 0, ("Ana Lucía", "Gómez Díaz", "1993-02-07", "F", "head"))
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    page.goto(f"{server}/household")
    page.wait_for_selector(f"{KEEP}:visible")
    page.wait_for_load_state("networkidle")
    # Ana's page is not saved without her pressing "Keep", and Maria's is gone.
    assert _what_the_phone_holds(page)["kept"] == 0
    shown = _offline_household(page, context, server)
    assert maria_reference not in shown and not any(name in shown for name in MARIA_PEOPLE)
    assert "Sofía Abril" not in shown


def test_a_new_sign_in_of_the_same_person_drops_the_kept_page_until_keep_is_pressed(server, context, page):
    _register_and_keep(page, server)
    page.goto(f"{server}/signin")  # signs in again, without signing out first
    page.fill("#id_address", "+528681234567")
    page.click("text=Send me a code")
    page.fill("#id_code", code_for("+528681234567"))
    page.click("form >> button:has-text('Sign in')")
    page.wait_for_url("**/household")
    page.wait_for_selector(f"{KEEP}:visible")
    page.wait_for_load_state("networkidle")
    assert _what_the_phone_holds(page)["kept"] == 0


def test_a_kept_page_older_than_a_week_is_not_shown_offline(server, context, page):
    reference = _register_and_keep(page, server)
    page.evaluate(
        """async () => {
          const cache = await caches.open("cita-kept");
          const old = await cache.match("/household");
          const headers = new Headers(old.headers);
          headers.set("X-Cita-Kept-At", String(Date.now() - 8 * 864e5));
          await cache.put("/household", new Response(await old.text(), { headers }));
        }"""
    )
    shown = _offline_household(page, context, server)
    assert "You are offline" in shown and reference not in shown


def test_on_a_borrowed_phone_nothing_stays_after_fifteen_minutes(server, context, page, settings):
    page.goto(f"{server}/signin")
    page.fill("#id_address", "+528681234567")
    page.check("input[name=shared_device]")
    page.click("text=Send me a code")
    page.fill("#id_code", code_for("+528681234567"))
    page.click("form >> button:has-text('Sign in')")
    page.wait_for_url("**/recovery-codes")
    page.click("text=I have written them down")
    page.wait_for_url("**/household/new")
    fill_household(page, 1)
    _until(page, "() => Object.keys(sessionStorage).some((k) => k.startsWith('cita-draft:'))")
    assert _what_the_phone_holds(page)["local"] == []  # never written where the next person could read it

    # Fifteen minutes without use.
    for stored in Session.objects.all():
        data = stored.get_decoded()
        data[sessions.SEEN] = int(time.time()) - settings.SHARED_DEVICE_IDLE_MINUTES * 60 - 5
        stored.session_data = Session.objects.encode(data)
        stored.save()
    page.goto(f"{server}/household/new")
    page.wait_for_url("**/signin")
    holds = _what_the_phone_holds(page)
    assert holds == {"local": [], "session": [], "kept": 0}
    page.goto(f"{server}/household")
    assert page.url.endswith("/signin")
