"""Staff sign-in: one answer for every failure, a lock per account with an operator unlock."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared.models import AuditEntry
from staff.models import StaffProfile

PASSWORD = "correct horse battery"


@pytest.fixture
def lucia(casa_del_migrante):
    """Lucia works at the shelter; she has not signed in yet."""
    user = get_user_model().objects.create_user("lucia", password=PASSWORD)
    StaffProfile.objects.create(user=user, role="ngo", organisation=casa_del_migrante)
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 1) % 1_000_000:06d}"


def _try(client: Client, password: str, code: str):
    return client.post("/staff/login", {"username": "lucia", "password": password, "otp_token": code})


def _message(response) -> str:
    assert response.status_code == 200
    page = response.content.decode()
    start = page.index('class="error-summary"')
    return page[start : page.index("</div>", start)]


@pytest.mark.django_db
def test_a_wrong_password_and_a_wrong_code_get_the_same_answer(lucia):
    wrong_password = _message(_try(Client(), "not the password", _code(lucia)))
    wrong_code = _message(_try(Client(), PASSWORD, _wrong(lucia)))
    no_code = _message(_try(Client(), PASSWORD, ""))
    assert wrong_password == wrong_code == no_code
    assert "username, password or code is not right" in wrong_password


@pytest.mark.django_db
def test_the_31st_wrong_password_is_refused_like_the_first_and_the_account_is_locked(lucia, olga):
    first = _message(_try(Client(), "wrong password 0", "000000"))
    for n in range(1, 31):
        attacker = Client(REMOTE_ADDR=f"203.0.113.{n % 3}")
        assert _message(_try(attacker, f"wrong password {n}", "000000")) == first
    # Locked: now even the right password and code get the same answer, from anywhere.
    assert _message(_try(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD, _code(lucia))) == first
    actions = list(AuditEntry.objects.filter(actor=lucia.user).values_list("action", flat=True))
    assert actions.count("sign-in failed") == 32 and actions.count("account locked") == 1

    page = olga.get("/staff/security").content.decode()
    assert "lucia" in page
    olga.post(f"/staff/security/unlock/{lucia.user.pk}")
    assert AuditEntry.objects.filter(action="account unlocked", values={"account": "lucia"}).exists()
    assert _try(Client(REMOTE_ADDR="198.51.100.8"), PASSWORD, _code(lucia)).status_code == 302


@pytest.mark.django_db
def test_one_connection_is_limited_across_accounts(lucia):
    for n in range(30):
        Client().post("/staff/login", {"username": f"nobody{n}", "password": "x", "otp_token": "000000"})
    assert _try(Client(), PASSWORD, _code(lucia)).status_code == 200
    assert _try(Client(REMOTE_ADDR="198.51.100.9"), PASSWORD, _code(lucia)).status_code == 302


@pytest.mark.django_db
def test_the_operator_admin_has_no_login_page_of_its_own(client):
    for _ in range(3):
        response = client.post("/operator/login/", {"username": "olga", "password": "guess"})
        assert response.status_code == 302 and response["Location"].startswith("/staff/login")
    assert client.get("/operator/")["Location"].startswith("/operator/login/")


@pytest.mark.django_db
def test_operators_reach_the_admin_through_the_staff_sign_in(olga):
    assert olga.get("/operator/").status_code == 200
