"""The health or needs answer is never kept on the phone: the pages say so, and ask for it again."""

import pytest

from registrations.models import Member
from tests.browser.conftest import sign_in
from tests.browser.helpers import choose_place_and_port, drafts, fill_household, fill_person, fill_single_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LUIS = ("Luis", "Pérez Rojas", "1988-09-01", "M", "partner")
ASK_AGAIN = "The health or other needs answer was not kept on this phone, so it was not sent."
RETYPE = "Type this again: health or other needs are not kept on this phone."


def test_a_needs_answer_typed_offline_is_asked_for_again_once_the_rest_is_sent(server, context, page):
    sign_in(page, server)
    fill_household(page, 1)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto(f"{server}/household/members/add")
    context.set_offline(True)
    fill_single_member(page, LUIS)
    page.fill("#id_needs", "insulin every day")
    page.click("form[data-draft] button:not([type=button])")

    page.reload()  # the offline page: it must not claim that everything typed is kept
    offline = page.inner_text("main")
    assert "except health or other needs" in offline and "type them again" in offline
    assert "insulin" not in str(drafts(page))

    with page.expect_navigation(url="**/household"):
        context.set_offline(False)
    notes = page.locator("main .draft-status").all_inner_texts()
    assert notes[0] == "Sent" and notes[1].startswith(ASK_AGAIN)
    luis = next(m for m in Member.objects.all() if m.given_names == "Luis")
    assert luis.needs == ""  # not sent, and said so


def test_after_a_reload_the_form_asks_for_the_needs_answer_again(server, page):
    sign_in(page, server)
    choose_place_and_port(page)
    fill_person(page, 0, needs="wheelchair")
    page.wait_for_timeout(400)
    page.reload()
    assert page.input_value("#id_members-0-needs") == ""
    assert page.inner_text("[data-retype-hint]") == RETYPE
    page.fill("#id_members-0-needs", "wheelchair")
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    assert page.locator("main .draft-status").all_inner_texts() == ["Sent"]  # typed again: nothing to ask
    assert Member.objects.get().needs == "wheelchair"
