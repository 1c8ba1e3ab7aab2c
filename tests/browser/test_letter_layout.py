"""The letter the family prints: two languages side by side that still fit a 320 px phone, and one
printed page on A4 and on US Letter."""

import re
from urllib.parse import urlencode

import pytest
from django.core.management import call_command
from django.test import Client

from allocation import appointments
from allocation.models import Appointment
from letters.models import Letter
from registrations.models import Household
from tests.browser.conftest import PASSWORDLESS_PHONE
from tests.browser.test_accessibility import _check
from tests.conftest import FAMILY, household_post, sign_in
from tests.letters.conftest import DRAW_DATE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pages_in(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


@pytest.mark.parametrize("language", ["es", "ar"])
def test_the_letter_fits_a_small_phone_and_one_printed_page(server, browser, language):
    from registrations.models import Place
    from shared.models import Port

    maria = Client()
    sign_in(maria, PASSWORDLESS_PHONE)
    data = household_post(FAMILY, Place.objects.get(name="Matamoros"), Port.objects.get(code="brownsville"))
    maria.post("/household/new", {**data, "language": language})
    Household.objects.update(language=language)
    call_command("allocate", "--date", DRAW_DATE, "--seed", "beacon", stdout=open("/dev/null", "w"))
    maria.post("/household/appointment/confirm")

    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    context.add_cookies([{"name": k, "value": v.value, "url": server} for k, v in maria.cookies.items()])
    page = context.new_page()
    try:
        page.goto(f"{server}/household/letter")
        assert page.locator("section[lang=en]").count() == 1 and page.locator(f"section[lang={language}]").count() == 1
        widest = page.evaluate("document.documentElement.scrollWidth")
        assert widest <= 320, f"the letter is {widest} px wide on a 320 px screen"
        for paper in ("A4", "Letter"):
            pdf = page.pdf(format=paper, print_background=True)
            assert pages_in(pdf) == 1, f"{paper}: {pages_in(pdf)} pages"
        problems = _check(page, "/household/letter")
        signed = Letter.objects.get().signed
        for label, code in [("VALID", signed), ("NOT VALID", signed[:-1] + "~")]:
            page.goto(f"{server}/verify?{urlencode({'code': code})}")
            assert label in page.inner_text(".verdict")
            problems += _check(page, f"/verify {label}")
        appointments.cancel(Appointment.objects.get())
        page.goto(f"{server}/verify?{urlencode({'code': signed})}")
        assert page.inner_text(".verdict") == "NO LONGER VALID"
        problems += _check(page, "/verify NO LONGER VALID")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
