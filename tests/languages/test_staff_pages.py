"""Staff pages and the operators' admin in the reader's language: no field named by its code
("Otp token"), no model named in English."""

import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

LANGUAGES = [code for code, _name in settings.LANGUAGES]
SIGN_IN_CODE_LABEL = {
    "en": "Code from your authenticator app",
    "es": "Código de tu aplicación de autenticación",
    "ht": "Kòd ki nan aplikasyon otantifikasyon ou a",
    "fr": "Code de votre application d’authentification",
    "pt": "Código do seu aplicativo autenticador",
    "ru": "Код из приложения-аутентификатора",
    "zh-hans": "身份验证器应用中的验证码",
    "ar": "الرمز من تطبيق المصادقة",
}
OTP_ENGLISH = [
    "TOTP",
    "Otp_Totp",
    "NGO staff",
    "Identity",
    "Timestamps",
    "Throttling",
    "Configuration",
    "Created at",
    "Last used at",
    "Confirmed",
    "QR Code",
    "this device",
    "Search by",
    "Last used",
    "Staff member",
]
PORTS = {"es": "Puertos", "ht": "Pò yo", "fr": "Postes-frontières", "ru": "Пункты пропуска", "ar": "منافذ العبور"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_sign_in_names_every_field_in_the_readers_language(language):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/staff/login").content.decode()
    assert SIGN_IN_CODE_LABEL[language] in page
    assert "Otp token" not in page and "OTP Token" not in page
    if language != "en":
        assert ">Password<" not in page and ">Username<" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", sorted(PORTS))
def test_the_admin_names_ports_draws_and_appointments_in_the_readers_language(language, olga):
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    index = olga.get("/operator/").content.decode()
    assert PORTS[language] in index
    for english in (">Ports<", ">Allocation runs<", ">Appointments<", ">Capacity overrides<", ">Allocation<"):
        assert english not in index, english
    port_form = olga.get("/operator/shared/port/1/change/").content.decode()
    assert "Daily capacity" not in port_form and "Time zone" not in port_form
    assert ">Ports of entry<" not in index and "Ports of entry" not in port_form


@pytest.mark.django_db
def test_an_operators_old_link_to_a_port_still_arrives(olga):
    """The ports moved from the allocation app to the shared one; the admin's old address redirects."""
    moved = olga.get("/operator/allocation/port/1/change/?_changelist_filters=x")
    assert moved.status_code == 302 and moved["Location"] == "/operator/shared/port/1/change/?_changelist_filters=x"
    assert olga.get(moved["Location"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "ht", "ar", "zh-hans"])
def test_the_authenticator_app_admin_speaks_the_readers_language(language, olga):
    """django-otp names its model and fields in English only: Cita's admin for it does not."""
    device = TOTPDevice.objects.create(user=get_user_model().objects.get(username="olga"), name="phone")
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    base = "/operator/staff/authenticatorapp/"
    for url in ("/operator/", base, f"{base}add/", f"{base}{device.pk}/change/"):
        response = olga.get(url)
        assert response.status_code == 200, url
        text = re.sub(r"<[^>]+>", " ", response.content.decode())
        for english in OTP_ENGLISH:
            assert english not in text, (url, english)
