"""Text typed by applicants cannot widen or reverse the operators' queue (real Chromium, 360 px)."""

import pytest
from django.contrib.auth import get_user_model
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrations.models import Applicant, Household, Place, VulnerabilityRequest
from shared.models import Port
from staff.models import StaffProfile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_operator(page, server: str) -> None:
    user = get_user_model().objects.create_user("olga", password="correct horse battery", is_staff=True)
    StaffProfile.objects.create(user=user, role="operator")
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    page.goto(f"{server}/staff/login?next=/staff/review/vulnerability")
    page.fill("#id_username", "olga")
    page.fill("#id_password", "correct horse battery")
    page.fill("#id_otp_token", f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}")
    page.click("form button")
    page.wait_for_url("**/staff/review/vulnerability")


def test_a_long_unbroken_request_wraps_inside_the_queue(server, page):
    household = Household.objects.create(
        reference="K7M-4QX-P2R",
        applicant=Applicant.objects.create(address="+528681234567"),
        registered_at="2026-11-01T10:00:00Z",
        current_place=Place.objects.get(name="Matamoros"),
        preferred_port=Port.objects.get(code="brownsville"),
        size=1,
    )
    VulnerabilityRequest.objects.create(household=household, category="medical", urgency=1, description="x" * 1000)
    sign_in_operator(page, server)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the queue is {width} px wide on a 360 px screen"
    assert page.locator(".typed").first.evaluate("el => el.getAttribute('dir')") == "auto"
