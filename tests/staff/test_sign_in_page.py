"""Staff who open the sign-in page directly (a bookmark, the demo's printout) land on their home page."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff.models import StaffProfile


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["ngo", "operator"])
def test_signing_in_without_a_next_page_lands_on_the_staff_home(role, casa_del_migrante):
    user = get_user_model().objects.create_user("ines", password="correct horse battery")
    StaffProfile.objects.create(user=user, role=role, organisation=casa_del_migrante if role == "ngo" else None)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post("/staff/login", {"username": "ines", "password": "correct horse battery", "otp_token": code})
    assert response.status_code == 302 and response["Location"] == "/staff/"
    assert client.get(response["Location"]).status_code == 200
