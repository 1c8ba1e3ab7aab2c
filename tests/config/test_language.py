"""Language: picked from the browser on a first visit, switched with a plain link, remembered."""

import pytest

from registrations.models import Applicant


@pytest.mark.django_db
def test_the_first_visit_follows_the_browser(client):
    page = client.get("/", headers={"Accept-Language": "ar,en;q=0.5"}).content.decode()
    assert '<html lang="ar" dir="rtl">' in page


@pytest.mark.django_db
def test_every_language_is_offered_in_its_own_name(client):
    page = client.get("/").content.decode()
    for name in ("English", "Español", "Kreyòl ayisyen", "Français", "Português", "Русский", "简体中文", "العربية"):
        assert name in page


@pytest.mark.django_db
def test_the_switch_works_without_javascript_and_is_remembered(maria):
    response = maria.get("/language/fr?next=/household")
    assert response.status_code == 302 and response["Location"] == "/household"
    page = maria.get("/signin").content.decode()
    assert '<html lang="fr" dir="ltr"' in page
    assert Applicant.objects.get().language == "fr"


@pytest.mark.django_db
def test_the_switch_refuses_unknown_languages_and_outside_addresses(client):
    response = client.get("/language/xx?next=https://evil.example/")
    assert response["Location"] == "/"
    assert "django_language" not in response.cookies
