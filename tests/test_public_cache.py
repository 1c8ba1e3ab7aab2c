"""Public pages can be kept by a shared cache (a proxy or CDN in front of Cita, issue 18): for a visitor
who is not signed in they carry no CSRF token and set no cookie, so every visitor gets the same bytes
and the same Cache-Control. A signed-in visitor's copy is private."""

import pytest

from allocation.models import AllocationPolicy, AllocationRun

PUBLIC = [
    "/",
    "/where",
    "/how-it-works",
    "/draws",
    "/draws/2026-11-02",
    "/draws/verify_draw.py",
    "/statistics",
    "/statistics.csv",
    "/letters/keys",
    "/letters/revoked",
    "/offline",
    "/.well-known/security.txt",
]


@pytest.fixture
def a_draw(db) -> None:
    AllocationRun.objects.create(
        date="2026-11-02",
        policy=AllocationPolicy.objects.first(),
        seed_commitment="0" * 64,
        status=AllocationRun.Status.COMPLETED,
    )


@pytest.mark.django_db
@pytest.mark.parametrize("path", PUBLIC)
def test_a_public_page_is_the_same_for_every_visitor_and_may_be_shared(client, a_draw, path):
    first = client.get(path)
    assert first.status_code == 200
    assert not first.cookies, f"{path} sets {list(first.cookies)}"
    control = first["Cache-Control"]
    assert "public" in control and "max-age=" in control
    assert "private" not in control and "no-store" not in control
    body = first.content.decode()
    assert "csrfmiddlewaretoken" not in body and "X-CSRFToken" not in body
    again = client.get(path)  # a second visitor: the very same bytes, and no per-response nonce in the policy
    assert again.content == first.content
    assert again.get("Content-Security-Policy") == first.get("Content-Security-Policy")


@pytest.mark.django_db
def test_the_language_chosen_still_changes_a_public_page(client):
    """The language is kept in a cookie, so public pages say Vary: Cookie: a shared cache keeps one copy per
    language (anonymous visitors carry no other cookie), never an English page for someone who chose Spanish."""
    english = client.get("/how-it-works")
    assert "Cookie" in english["Vary"] and "Accept-Language" in english["Vary"]
    client.get("/language/es?next=/how-it-works")
    spanish = client.get("/how-it-works")
    assert '<html lang="es"' in spanish.content.decode() and spanish.content != english.content
    assert "public" in spanish["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/where", "/how-it-works", "/draws", "/statistics", "/offline"])
def test_a_signed_in_visitors_copy_is_private(maria, path):
    response = maria.get(path)
    assert "private" in response["Cache-Control"] and "public" not in response["Cache-Control"]


@pytest.mark.django_db
def test_the_letter_check_sets_no_cookie(client):
    """A GET form needs no CSRF token: checking a letter leaves nothing that would make later public pages
    personal for this visitor."""
    response = client.get("/verify")
    assert response.status_code == 200 and not response.cookies
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_each_server_keeps_its_copy_of_a_public_page_a_few_seconds(client, django_assert_num_queries):
    first = client.get("/how-it-works")
    with django_assert_num_queries(0):
        again = client.get("/how-it-works")
    assert again.content == first.content and again["Cache-Control"] == first["Cache-Control"]
    client.cookies["django_language"] = "es"  # another language, another copy
    assert '<html lang="es"' in client.get("/how-it-works").content.decode()


@pytest.mark.django_db
def test_a_visitor_with_other_cookies_gets_the_page_rendered_for_them(client, request):
    """A message waiting, a session or a token in use may change the page: no kept copy for them."""
    client.get("/how-it-works")
    request.getfixturevalue("announced_policy")  # after the page was kept
    announced = "waiting time 30%, lottery 70%"
    assert announced not in client.get("/how-it-works").content.decode()  # the copy, up to SERVER_SECONDS old
    client.cookies["messages"] = "anything"
    assert announced in client.get("/how-it-works").content.decode()


@pytest.mark.django_db
def test_a_kept_copy_is_compressed_only_for_phones_that_asked(client):
    plain = client.get("/")
    assert "Content-Encoding" not in plain
    compressed = client.get("/", headers={"accept-encoding": "gzip"})
    assert compressed["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in client.get("/") and client.get("/").content == plain.content
