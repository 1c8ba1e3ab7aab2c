"""Parts of pages that depend only on the language (the language links, the footer, the household
page's help and sign-in sections) are rendered once per language and server, then reused (issue 18):
a page must never show a part kept for another language or another address."""

import pytest

from tests.conftest import FAMILY, household_post


@pytest.mark.django_db
def test_kept_parts_follow_the_language(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    english = maria.get("/household").content.decode()
    assert "Keep this page on this phone" in english and "End every other sign-in" in english
    maria.get("/language/es?next=/household")
    spanish = maria.get("/household").content.decode()
    for text in ("Keep this page on this phone", "End every other sign-in", "How it works", "Ask for urgent help"):
        assert text not in spanish, text
    assert '<html lang="es"' in spanish and 'href="/language/en?next=/household"' in spanish


@pytest.mark.django_db
def test_the_language_links_lead_back_to_the_page_they_are_on(client):
    assert 'href="/language/es?next=/where"' in client.get("/where").content.decode()
    assert 'href="/language/es?next=/draws"' in client.get("/draws").content.decode()
