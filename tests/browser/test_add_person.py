"""What Maria types while "Add another person" is loading stays typed, fast or on 2G."""

import time

import pytest

from registrations.models import Household, Member
from tests.browser.conftest import sign_in, throttle
from tests.browser.helpers import choose_place_and_port, fill_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def held_for_a_moment(route) -> None:
    """The answer to the click takes half a second, as on any busy line: typing goes on meanwhile."""
    if route.request.method == "POST":
        time.sleep(0.5)
    route.continue_()


@pytest.mark.parametrize("line", ["unthrottled", "regular 2G"])
def test_typing_while_a_person_row_loads_is_kept(server, browser, line):
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    page = context.new_page()
    sign_in(page, server)
    choose_place_and_port(page)
    fill_person(page, 0)
    if line == "unthrottled":
        page.route("**/household/new", held_for_a_moment)
    else:
        throttle(context, page)

    page.click("button[name=add_member]")
    page.fill("#id_members-0-family_names", "Pérez Rojas de León")  # typed while the row loads
    page.fill("#id_members-0-languages", "Español, Inglés")
    page.wait_for_selector("#id_members-1-given_names")
    page.wait_for_timeout(300)  # anything the answer would still do to the page, done

    assert page.input_value("#id_members-0-family_names") == "Pérez Rojas de León"
    assert page.input_value("#id_members-0-languages") == "Español, Inglés"
    assert page.locator("fieldset.member").count() == 2
    fill_person(page, 1)
    page.click("button[name=add_member]")  # a third row, then a fourth, numbered on
    page.wait_for_selector("#id_members-2-given_names")
    page.click("button[name=add_member]")
    page.wait_for_selector("#id_members-3-given_names")
    assert page.locator("fieldset.member > legend").all_inner_texts()[1:] == ["Person 2", "Person 3", "Person 4"]

    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    household = Household.objects.get()
    assert household.size == 2  # the two empty rows added by mistake are ignored
    head = Member.objects.get(household=household, relationship="head")
    assert head.family_names == "Pérez Rojas de León" and head.languages == "Español, Inglés"
    context.close()
