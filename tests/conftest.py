"""The people of our test stories, and the pieces every test needs.

Tests that need real transactions use `django_db(transaction=True, serialized_rollback=True)`:
their flush would otherwise remove the reference data the migrations load (ports, places, the
policy) and make PostgreSQL restore content types twice for the next such test."""

import re
from contextlib import contextmanager

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrations.models import Applicant, Member, Organisation, Place
from shared.encryption import blind_index
from shared.models import OutboundMessage, Port
from staff.models import StaffProfile


def pytest_sessionstart(session):
    """The translations compiled from the catalogues as they are now, whatever ran before (the
    demo compiles them too, but the suite must not depend on it having run first)."""
    from pathlib import Path

    from django.conf import settings
    from django.core.management import call_command

    catalogues = [po for folder in settings.LOCALE_PATHS for po in Path(folder).rglob("*.po")]
    if any(
        not po.with_suffix(".mo").exists() or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
        for po in catalogues
    ):
        call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)


@contextmanager
def read_only_database():
    """A database outage that is real to the code: SQLite's query_only, PostgreSQL's read-only
    transactions (from the next transaction: use it in tests with transaction=True)."""

    def set_read_only(on: bool) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")
            else:
                cursor.execute(f"SET default_transaction_read_only = {'on' if on else 'off'}")

    set_read_only(True)
    try:
        yield
    finally:
        set_read_only(False)


@pytest.fixture(autouse=True)
def _plain_static_files(settings):
    """Tests render templates without running collectstatic first."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    # Staff passwords: a fast hasher in tests only (production keeps Django's PBKDF2 default).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_page_copies():
    """Servers keep public pages a few seconds (shared.public); each test starts from its own database."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_wait_caches():
    """The wait estimate keeps per-process counts; each test starts from its own database."""
    from allocation import accuracy, tickets, waits

    waits.QUEUE_DAYS.built_at = float("-inf")
    waits.QUEUE_DAYS.first_build_in_background = False  # a thread would not see the test's transaction
    waits.DRAW_FACTS.read_at = float("-inf")
    waits._queue_speed.cache_clear()
    tickets._positions.cache_clear()
    accuracy._for_port.cache_clear()


# A test that asks for none of these cannot reach the test database (pytest-django refuses it).
DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def uses_database(item: pytest.Item) -> bool:
    fixtures = set(getattr(item, "fixturenames", ()))
    return item.get_closest_marker("django_db") is not None or bool(DATABASE_FIXTURES & fixtures)


def pytest_collection_modifyitems(config, items):
    """The one place a test is skipped for the database it runs on: mark it postgres_only or sqlite_only.
    On PostgreSQL, tests that cannot reach the database are left out: scripts/test.sh runs them on SQLite,
    and they would give the same answer twice (a tenth of the suite's time). Gateway tests start Kannel and
    an SMTP server, the scripts' smoke run starts gunicorn and PostgreSQL servers: they run only when -m
    names them (-m gateway, -m scripts)."""
    needs = {"postgres_only": "postgresql", "sqlite_only": "sqlite"}
    for item in items:
        for marker, vendor in needs.items():
            if marker in item.keywords and connection.vendor != vendor:
                item.add_marker(pytest.mark.skip(reason=f"needs {vendor}: ./scripts/test.sh runs both"))
    if connection.vendor == "postgresql":
        without_database = [item for item in items if not uses_database(item)]
        if without_database:
            config.hook.pytest_deselected(items=without_database)
            items[:] = [item for item in items if uses_database(item)]
    for opt_in in ("gateway", "scripts"):
        if opt_in not in (config.option.markexpr or ""):
            left_out = [item for item in items if item.get_closest_marker(opt_in)]
            if left_out:
                config.hook.pytest_deselected(items=left_out)
                items[:] = [item for item in items if not item.get_closest_marker(opt_in)]


@pytest.fixture
def announced_policy(db):
    """The policy in force, and the next one announced: waiting time 30 %, lottery 70 %, from 10 days on."""
    import datetime as dt

    from allocation.models import AllocationPolicy

    current = AllocationPolicy.objects.order_by("-version").first()
    AllocationPolicy.objects.create(
        version=current.version + 1,
        waiting_share=30,
        lottery_share=70,
        reserved_share=0,
        effective_from=dt.date.today() + dt.timedelta(days=10),
    )
    return current


@pytest.fixture
def brownsville(db) -> Port:
    return Port.objects.get(code="brownsville")


@pytest.fixture
def san_ysidro(db) -> Port:
    return Port.objects.get(code="san-ysidro")


@pytest.fixture
def matamoros(db) -> Place:
    return Place.objects.get(name="Matamoros")


def last_code(address: str) -> str:
    message = OutboundMessage.objects.filter(address_index=blind_index("address", address)).latest("created_at")
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def form_token(page: str) -> str:
    """The first form's CSRF token in a page."""
    marker = 'name="csrfmiddlewaretoken" value="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def sign_in(client: Client, address: str) -> None:
    client.post("/signin", {"address": address})
    response = client.post("/signin/code", {"code": last_code(address)})
    assert response.status_code == 302, response.content
    client.post("/recovery-codes")


@pytest.fixture
def maria(db, client) -> Client:
    """Maria, signed in on her phone, no household yet."""
    sign_in(client, "+528681234567")
    return client


@pytest.fixture
def other_client(db) -> Client:
    """Someone else, on another phone."""
    other = Client()
    sign_in(other, "+528689999999")
    return other


def member_fields(
    prefix: str,
    given: str,
    family: str,
    born: str,
    nationality: str = "VE",
    sex: str = "F",
    relationship: str = "child",
) -> dict[str, str]:
    return {
        f"{prefix}given_names": given,
        f"{prefix}family_names": family,
        f"{prefix}date_of_birth": born,
        f"{prefix}nationality": nationality,
        f"{prefix}sex": sex,
        f"{prefix}relationship": relationship,
        f"{prefix}languages": "Español",
        f"{prefix}needs": "",
    }


FAMILY = [
    ("María José", "Pérez Rojas", "1990-04-12", "F", "head"),
    ("Luis", "Pérez Rojas", "1988-09-01", "M", "partner"),
    ("Ana", "Pérez Rojas", "2012-01-20", "F", "child"),
    ("Diego", "Pérez Rojas", "2015-06-30", "M", "child"),
    ("Sofía", "Pérez Rojas", "2020-11-05", "F", "child"),
]


def household_post(members, place: Place, port: Port, key: str = "key-1", **extra) -> dict[str, str]:
    data = {
        "idempotency_key": key,
        "current_place": str(place.pk),
        "preferred_port": str(port.pk),
        "contact_phone": "",
        "contact_email": "",
        "language": "es",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "1",
        "members-MAX_NUM_FORMS": "20",
    }
    for i, (given, family, born, sex, relationship) in enumerate(members):
        data.update(member_fields(f"members-{i}-", given, family, born, sex=sex, relationship=relationship))
    data.update(extra)
    return data


@pytest.fixture
def applicant_count(db):
    return lambda: Applicant.objects.count()


def member_named(given_names: str) -> Member:
    """Names are encrypted at rest, so tests find a person by reading, not by querying."""
    return next(m for m in Member.objects.filter(is_active=True) if m.given_names == given_names)


# Staff people of the stories: an NGO worker, a worker of another NGO, an operator.


def staff_client(username: str, role: str, organisation: Organisation | None, shared_device: bool = False) -> Client:
    user = get_user_model().objects.create_user(
        username, password="correct horse battery", is_staff=role == "operator", is_superuser=role == "operator"
    )
    StaffProfile.objects.create(user=user, role=role, organisation=organisation)
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    token = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    response = client.post(
        "/staff/login",
        {"username": username, "password": "correct horse battery", "otp_token": token, "shared_device": shared_device},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def casa_del_migrante(db) -> Organisation:
    return Organisation.objects.create(name="Casa del Migrante", city="Matamoros")


@pytest.fixture
def other_ngo(db) -> Organisation:
    return Organisation.objects.create(name="Otra ONG", city="Reynosa")


@pytest.fixture
def rosa(casa_del_migrante) -> Client:
    """Rosa works at the Casa del Migrante shelter."""
    return staff_client("rosa", "ngo", casa_del_migrante)


@pytest.fixture
def pablo(other_ngo) -> Client:
    """Pablo works at another NGO."""
    return staff_client("pablo", "ngo", other_ngo)


@pytest.fixture
def olga(db) -> Client:
    """Olga is an operator at the agency."""
    return staff_client("olga", "operator", None)
