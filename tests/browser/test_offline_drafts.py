"""What Maria types is kept on her phone through a lost connection and a reload, and sent once."""

import pytest

from registrations.models import Household, Member
from tests.browser.conftest import go_offline, go_online, sign_in, throttle
from tests.browser.helpers import (
    add_person_row,
    choose_place_and_port,
    drafts,
    fill_household,
    fill_person,
    fill_single_member,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LUIS = ("Luis", "Pérez Rojas", "1988-09-01", "M", "partner")
SAVED = "Saved on this phone, not sent yet"


def _registered(page, server) -> None:
    sign_in(page, server)
    fill_household(page, 1)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    # The service worker controls the pages from here on, as on a phone that used Cita before.
    page.wait_for_function("navigator.serviceWorker.controller !== null")


def test_a_person_added_offline_survives_a_reload_and_is_sent_once_back_online(server, context, page):
    _registered(page, server)
    on_2g = throttle(context, page)  # a phone on a weak connection that then loses it
    page.goto(f"{server}/household/members/add")
    page.fill("#id_given_names", LUIS[0])
    go_offline(context, page, on_2g)
    fill_single_member(page, LUIS)
    page.fill("#id_needs", "a private detail")
    page.click("form[data-draft] button:not([type=button])")
    assert page.inner_text(".draft-status") == SAVED
    assert page.url.endswith("/household/members/add")

    page.reload()  # still offline: the service worker shows the offline page
    assert "You are offline" in page.inner_text("h1")
    assert page.inner_text(".draft-status") == SAVED
    (draft,) = drafts(page).values()
    assert ["given_names", "Luis"] in draft["fields"]
    assert not [name for name, _ in draft["fields"] if "needs" in name or "csrf" in name]

    with page.expect_navigation(url="**/household"):
        go_online(context, on_2g)
    assert page.inner_text("main .draft-status") == "Sent"
    assert "Luis Pérez Rojas" in page.inner_text("#member-list")
    page.reload()
    page.wait_for_load_state("networkidle")
    assert [m.given_names for m in Member.objects.all()].count("Luis") == 1
    assert drafts(page) == {}


def test_a_household_typed_before_a_reload_comes_back_and_is_registered_once(server, page):
    sign_in(page, server)
    choose_place_and_port(page)
    fill_person(page, 0, needs="a private detail")
    for index in (1, 2):
        add_person_row(page, index)
        fill_person(page, index)
    page.wait_for_timeout(400)  # the draft is saved a moment after the last key press
    key = page.input_value("[name=idempotency_key]")

    page.reload()
    assert page.inner_text(".draft-status") == SAVED
    assert page.input_value("[name=idempotency_key]") == key
    assert page.input_value("#id_members-2-given_names") == "Ana"
    assert page.is_checked("input[name='members-1-sex'][value='M']")
    assert page.input_value("#id_members-0-needs") == ""  # never kept on the phone

    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    assert page.inner_text("main .draft-status") == "Sent"
    assert Household.objects.count() == 1
    assert Member.objects.count() == 3
    assert drafts(page) == {}


def test_a_draft_older_than_7_days_is_dropped_and_sign_out_clears_drafts(server, page):
    sign_in(page, server)
    fill_person(page, 0)
    page.wait_for_timeout(400)
    page.evaluate(
        "Object.keys(localStorage).filter(k => k.startsWith('cita-draft:')).forEach(k => {"
        " const d = JSON.parse(localStorage.getItem(k)); d.saved -= 8 * 24 * 3600 * 1000;"
        " localStorage.setItem(k, JSON.stringify(d)); })"
    )
    page.reload()
    assert page.input_value("#id_members-0-given_names") == ""
    assert drafts(page) == {}

    fill_person(page, 0)
    page.wait_for_timeout(400)
    assert len(drafts(page)) == 1
    page.click("text=Sign out")
    page.wait_for_load_state("domcontentloaded")
    assert drafts(page) == {}
