"""The service worker, manifest and offline page, and no-store on pages with personal data.

Plain Django client tests (no browser): they run with the rest of the suite on both databases.
"""

import json

import pytest


def test_the_service_worker_is_served_from_the_root_with_the_hashed_shell(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert "no-cache" in response["Cache-Control"]
    body = response.content.decode()
    assert "self.CITA_CONFIG" not in body
    config = json.loads(body.split("var CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["offline"] == "/offline" and "/offline" in config["shell"]
    assert any(url.startswith("/static/js/cita.") for url in config["shell"])
    assert config["kept"] == ["/household"]


def test_the_manifest_names_the_app_and_its_icon(client):
    response = client.get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["name"] == "Cita" and data["start_url"] == "/"
    assert client.get(data["icons"][0]["src"])["Content-Type"] == "image/svg+xml"


@pytest.mark.django_db
def test_the_offline_page_speaks_the_users_language(client):
    client.cookies["django_language"] = "es"
    response = client.get("/offline", headers={"accept-language": "es"})
    assert response.status_code == 200
    assert '<html lang="es"' in response.content.decode()
    assert "no-store" not in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/signin", "/household/new", "/household", "/recovery-codes", "/account/move"])
def test_pages_with_personal_data_are_never_stored(maria, path):
    response = maria.get(path)
    assert "no-store" in response["Cache-Control"]
    assert "Expires" not in response


@pytest.mark.django_db
def test_public_pages_may_be_stored(client):
    assert "no-store" not in client.get("/").get("Cache-Control", "")


@pytest.mark.django_db
def test_signing_out_clears_what_the_phone_kept(maria):
    response = maria.post("/signout")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
