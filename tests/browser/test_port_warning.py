"""Choosing a port far from where one is shows the warning at once (htmx), before sending the form:
the radios share one set of htmx attributes on their fieldset, and the change still reaches it."""

import pytest
from playwright.sync_api import Error

from registrations.models import Place
from shared.models import Port
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_far_port_warns_as_soon_as_it_is_chosen(server, page):
    sign_in(page, server)
    assert page.locator("input[name=preferred_port][hx-get]").count() == 0  # said once, on the fieldset
    page.select_option("#id_current_place", str(Place.objects.get(name="Matamoros").pk))
    page.check(f"input[name=preferred_port][value='{Port.objects.get(code='san-ysidro').pk}']")
    page.wait_for_selector("#port-warning .warning-panel")
    assert "km" in page.inner_text("#port-warning")
    page.check(f"input[name=preferred_port][value='{Port.objects.get(code='brownsville').pk}']")
    page.wait_for_selector("#port-warning .warning-panel", state="detached")  # the near port: no warning


def test_the_warning_about_the_port_shows_when_the_answer_about_the_place_comes_in_between(server, page):
    """Choosing the place asks the server once, choosing the port again. On a slow line the answer about the
    place can come while the question about the port is still out: the port's answer must still be shown."""
    held = []
    sign_in(page, server)
    page.route("**/port-warning*", lambda route: held.append(route))  # every question held until let through
    page.select_option("#id_current_place", str(Place.objects.get(name="Matamoros").pk))
    page.check(f"input[name=preferred_port][value='{Port.objects.get(code='san-ysidro').pk}']")
    for _ in range(200):  # both questions asked (at most 10 s)
        if len(held) == 2:
            break
        page.wait_for_timeout(50)
    about_place, about_port = held
    try:
        about_place.continue_()
        page.wait_for_timeout(1000)  # the answer about the place, shown if still wanted (no port in it: no warning)
    except Error:
        pass  # the page gave that question up
    about_port.continue_()
    page.wait_for_selector("#port-warning .warning-panel", timeout=5000)
    assert "km" in page.inner_text("#port-warning")
