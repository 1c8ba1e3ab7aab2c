"""Headless Chromium (Debian's, at /usr/bin/chromium) driven by Playwright against a live server.

The live server is pytest-django's, with one change: static files are served by WhiteNoise from
the collected, hashed and compressed files, exactly as in production, so the 2G timings measure
what a phone really downloads. The test database is a file, so the server's threads each have
their own connection, as real requests do (a double tap is two concurrent requests).
"""

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, REGULAR_2G

PASSWORDLESS_PHONE = "+528681234567"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix) -> Iterator[None]:
    from django.conf import settings

    database = settings.DATABASES["default"]
    folder = None
    if database["ENGINE"].endswith("sqlite3"):
        folder = tempfile.mkdtemp(prefix="cita-browser-")
        database.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")
    yield
    if folder:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _plain_static_files(settings) -> None:
    """Overrides the suite's plain storage: hashed names and pre-compressed files, as deployed."""
    settings.SECURE_SSL_REDIRECT = False


@pytest.fixture(scope="session")
def _collected_static() -> None:
    from django.conf import settings
    from django.core.management import call_command

    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(scope="session")
def app_server(_collected_static, django_db_setup, django_db_blocker) -> Iterator[str]:
    """pytest-django's live server, with WhiteNoise (in the middleware) serving static files."""
    from django.test.testcases import LiveServerThread
    from django.test.utils import modify_settings

    thread = LiveServerThread("127.0.0.1", static_handler=lambda handler: handler, connections_override={})
    thread.daemon = True
    with modify_settings(ALLOWED_HOSTS={"append": "127.0.0.1"}):
        thread.start()
        thread.is_ready.wait()
        if thread.error:
            raise thread.error
        yield f"http://127.0.0.1:{thread.port}"
        thread.terminate()


REFERENCE_APPS = ("shared", "allocation", "registrations", "transparency")


@pytest.fixture(scope="session")
def _reference_data(django_db_setup, django_db_blocker) -> str:
    """Ports, places and policy as the migrations left them, to put back after each flush.

    Taken from what pytest-django serialized at setup when some test asked for it (the database
    may be flushed by now), else from the fresh database.
    """
    from django.apps import apps
    from django.core import serializers
    from django.db import connection

    stored = getattr(connection, "_test_serialized_contents", None)
    if stored:
        return stored
    rows = []
    with django_db_blocker.unblock():
        for label in REFERENCE_APPS:
            if apps.is_installed(label):
                for model in apps.get_app_config(label).get_models():
                    rows.extend(model._default_manager.all())
        return serializers.serialize("json", rows)


def _load_reference_data(rows: str) -> None:
    from django.core import serializers
    from django.db import connection, transaction

    from shared.models import Port

    if not Port.objects.exists():
        with transaction.atomic(), connection.constraint_checks_disabled():
            for row in serializers.deserialize("json", rows):
                if row.object._meta.app_label in REFERENCE_APPS:
                    row.save()


def pytest_collection_modifyitems(items) -> None:
    """Browser tests last: their live server flushes the database after each test, and tests
    that rely on the migrations' data restored by serialized_rollback must not come after."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture
def server(app_server, _reference_data, transactional_db) -> str:
    """The live server, with the reference data the migrations load (each test ends in a flush)."""
    _load_reference_data(_reference_data)
    return app_server


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the browser tests, stopped after them: Playwright's event loop should not
    outlive them."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in tests stay sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


def throttle(context, page, profile: dict = REGULAR_2G):
    session = context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.emulateNetworkConditions", profile)
    return session


def time_to_usable(page) -> float:
    """Milliseconds from the start of navigation until the page is parsed, styled and its deferred
    scripts have run (DOMContentLoaded finished): every control on it works."""
    page.wait_for_load_state("domcontentloaded")
    return page.evaluate("performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")


def code_for(address: str) -> str:
    from tests.conftest import last_code

    return last_code(address)


def sign_in(page, server: str, address: str = PASSWORDLESS_PHONE) -> None:
    page.goto(f"{server}/signin")
    page.fill("#id_address", address)
    page.click("text=Send me a code")
    page.wait_for_url("**/signin/code")
    page.fill("#id_code", code_for(address))
    page.click("form >> button:has-text('Sign in')")
    page.wait_for_url("**/recovery-codes")
    page.click("text=I have written them down")
    page.wait_for_url("**/household/new")


def reaches_server(page) -> bool:
    """Whether a request from the page gets through: a fetch the service worker leaves to the
    network (neither a page nor a static file), so no cached copy can answer it."""
    return page.evaluate("fetch('/healthz?probe=' + Math.random(), {cache: 'no-store'}).then(() => true, () => false)")


def go_offline(context, page, session=None) -> None:
    """Cut the phone's connection, and prove it was cut before the test relies on it.

    A page throttled through its DevTools session keeps that session's network conditions whatever
    Playwright's set_offline says, so such a page is cut on the same session too; set_offline
    still cuts the service worker, which the session does not reach."""
    if session is not None:
        session.send("Network.emulateNetworkConditions", {**REGULAR_2G, "offline": True})
    context.set_offline(True)
    assert not reaches_server(page), "the connection was not cut: what follows would not be offline"


def go_online(context, session=None) -> None:
    """Give the connection back (throttled again when the page was throttled)."""
    if session is not None:
        session.send("Network.emulateNetworkConditions", REGULAR_2G)
    context.set_offline(False)
