"""Maria registers her family of five on a Regular 2G connection, in a real browser."""

import pytest

from registrations.models import Household, Member
from tests.browser.conftest import sign_in, throttle, time_to_usable
from tests.browser.helpers import fill_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_registers_a_household_of_five_on_2g(server, browser):
    # DevTools throttling does not reach the service worker's own fetches: block it here so
    # every byte goes through the throttled page (the worker can only make pages faster).
    context = browser.new_context(viewport={"width": 360, "height": 740}, service_workers="block")
    page = context.new_page()
    throttle(context, page)
    timings = {}
    sign_in(page, server)
    timings["registration form"] = time_to_usable(page)
    fill_household(page, 5)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    timings["registered"] = time_to_usable(page)
    assert "Your household is registered" in page.content()
    page.click("text=See your household")
    page.wait_for_url("**/household")
    timings["household"] = time_to_usable(page)
    assert "5 people" in page.inner_text("main")
    assert "Sofía Pérez Rojas" in page.inner_text("#member-list")
    print("time to usable on Regular 2G (ms):", {name: round(ms) for name, ms in timings.items()})
    household = Household.objects.get()
    assert Member.objects.filter(household=household, is_active=True).count() == 5
    assert page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('cita-draft:')).length") == 0
    context.close()


def test_the_registration_form_is_usable_in_3_s_first_and_1_5_s_repeat_on_2g(server, browser, context, page):
    sign_in(page, server)
    # A phone that has never loaded a static file: same session cookie, empty cache. The service
    # worker is blocked so the repeat visit measures the HTTP cache alone (the worker only helps).
    fresh = browser.new_context(storage_state=context.storage_state(), service_workers="block")
    try:
        phone = fresh.new_page()
        throttle(fresh, phone)
        phone.goto(f"{server}/household/new")
        first = time_to_usable(phone)
        phone.goto(f"{server}/household/new")
        repeat = time_to_usable(phone)
    finally:
        fresh.close()
    print(f"registration form on Regular 2G: first visit {first:.0f} ms, repeat visit {repeat:.0f} ms")
    assert first < 3000
    assert repeat < 1500


def test_a_double_tap_on_submit_registers_one_household(server, page):
    sign_in(page, server)
    fill_household(page, 2)
    page.dblclick("button[name=register]")
    page.wait_for_url("**/household/registered")
    page.wait_for_load_state("networkidle")
    assert Household.objects.count() == 1
    assert Member.objects.count() == 2


def test_going_back_and_sending_again_registers_one_household(server, page):
    sign_in(page, server)
    fill_household(page, 2)
    page.click("button[name=register]")
    page.wait_for_url("**/household/registered")
    page.go_back()
    page.wait_for_load_state("domcontentloaded")
    register = page.locator("button[name=register]")
    if register.count():
        register.click()
        page.wait_for_load_state("domcontentloaded")
    assert Household.objects.count() == 1
    assert Member.objects.count() == 2
