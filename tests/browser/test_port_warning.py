"""Choosing a port far from where one is shows the warning at once (htmx), before sending the form:
the radios share one set of htmx attributes on their fieldset, and the change still reaches it."""

import pytest

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
