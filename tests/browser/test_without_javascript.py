"""With JavaScript off, the whole registration story still works: plain forms and redirects."""

import pytest

from registrations.models import Household, Member
from tests.browser.conftest import sign_in
from tests.browser.helpers import choose_place_and_port, fill_person, fill_single_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LUIS = ("Luis", "Pérez Rojas", "1988-09-01", "M", "partner")


def test_the_registration_story_works_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        sign_in(page, server)
        choose_place_and_port(page)
        fill_person(page, 0)
        for index in range(1, 5):
            with page.expect_navigation():
                page.click("button[name=add_member]")  # a plain submit: the page comes back with one more row
            fill_person(page, index)
        assert page.input_value("#id_members-0-given_names") == "María José"
        page.click("button[name=register]")
        page.wait_for_url("**/household/registered")
        page.click("text=See your household")
        page.wait_for_url("**/household")
        assert "5 people" in page.inner_text("main")

        page.click("text=Add a person")
        page.wait_for_url("**/household/members/add")
        fill_single_member(page, ("Rosa", "Pérez Rojas", "2023-02-14", "F", "child"))
        page.click("form[data-draft] button")
        page.wait_for_url("**/household")
        assert "6 people" in page.inner_text("main")
        assert Household.objects.count() == 1
        assert Member.objects.filter(is_active=True).count() == 6
    finally:
        context.close()
