"""Security basics anyone can check from outside: headers, CSRF, deploy checks, security.txt."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import FAMILY, household_post, sign_in

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "x" * 20 + "a-long-random-production-secret-0123456789",
    "PERSON_KEY_SECRET": "another-long-random-secret-for-blind-indexes",
    "FIELD_ENCRYPTION_KEYS": "qj9m4yH3xGkqQz3R3D6nQ8JYb2l7W1g2dQd0V8zj0Yk=",
    "LETTER_SIGNING_KEYS": "k1:nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
    "ALLOWED_HOSTS": "cita.example",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_COOKIES": "true",
    "MESSAGE_BACKEND": "tests.config.provider.Provider",
}


def test_check_deploy_is_clean_with_production_settings():
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_refuses_the_development_secrets():
    env = {**os.environ, "DEBUG": "false"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY is the development default" in result.stderr


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_security_txt(client):
    text = client.get("/.well-known/security.txt").content.decode()
    assert text.startswith("Contact: mailto:") and "Expires: " in text


def post_urls() -> list[str]:
    """Every URL pattern that accepts POST, with sample arguments."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith("operator/"):
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                route = (prefix + str(p.pattern)).replace("<int:pk>", "1").replace("<str:reference>", "AAA-AAA-AAA")
                found.append("/" + route.replace("<str:language>", "es").replace("<str:date>", "2026-01-01"))

    walk(get_resolver().url_patterns)
    return found


@pytest.mark.django_db
def test_every_post_without_a_csrf_token_is_refused(matamoros, brownsville):
    client = Client(enforce_csrf_checks=True)
    sign_in_client = Client()
    sign_in(sign_in_client, "+528681230000")
    client.cookies = sign_in_client.cookies
    refused = 0
    for url in post_urls():
        response = client.post(url, household_post(FAMILY[:1], matamoros, brownsville))
        assert response.status_code in (403, 405), url
        refused += response.status_code == 403
    assert refused > 20
    assert "This form is too old" in client.post("/signin", {"address": "+528681230000"}).content.decode()


def test_check_deploy_refuses_the_message_backend_that_prints_codes():
    env = {**os.environ, **PRODUCTION_ENV}
    env.pop("DATABASE_URL", None)
    env.pop("MESSAGE_BACKEND", None)
    command = [sys.executable, "manage.py", "check", "--deploy"]
    result = subprocess.run(command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and "writes sign-in codes to the log" in result.stderr


def _public_get_routes() -> list[str]:
    from tests.test_access import PUBLIC, routes

    skip = {"signout", "signin_resend", "change_language", "staff_logout"}
    return [route.replace("<str:date>", "2026-01-01") for name, route in routes().items() if name in PUBLIC - skip]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "applicant"])
def test_no_shared_cacheable_response_carries_a_token_or_sets_a_cookie(who, matamoros):
    from allocation.models import AllocationPolicy, AllocationRun

    policy = AllocationPolicy.objects.first()
    AllocationRun.objects.create(date="2026-01-01", policy=policy, status=AllocationRun.Status.COMPLETED, summary={})
    client = Client()
    if who == "applicant":
        sign_in(client, "+528681230000")
    public = 0
    for url in _public_get_routes():
        response = client.get(url)
        control = response.get("Cache-Control", "")
        body = response.content if not response.streaming else b""
        carries_token = b"csrfmiddlewaretoken" in body or b"X-CSRFToken" in body
        if "public" in control:
            public += 1
            assert not response.cookies and not carries_token, url
        if carries_token or response.cookies:
            assert "private" in control or "no-store" in control, url
    assert public >= (6 if who == "anonymous" else 0)
