"""The gateway tests run Cita against a real Kannel and a real SMTP server (tests/gateway/harness.py).

They run only when asked for (`pytest -m gateway`, as scripts/test.sh does): they start processes
and take a minute. They use a test database in a file, not in memory, because Kannel's callbacks,
the urgent-send threads and the sender loop (a separate `send_notifications --loop` process, as in
production) all use their own connections at once.
"""

import os
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import pytest
from django.test import override_settings

from tests.gateway.harness import Kannel, SmtpServer, missing_packages

SECRET = "gateway-test-secret"  # noqa: S105 - a throwaway value for loopback processes
ROOT = Path(__file__).resolve().parents[2]


@cache
def workdir() -> Path:
    """Kannel's config, logs and store, the test database and the sender's log: kept for reading after a failure."""
    return Path(tempfile.mkdtemp(prefix="cita-gateway-"))


def pytest_collection_modifyitems(config, items):
    """Fail loudly, before anything starts, when Kannel is not installed."""
    asked = "gateway" in (config.option.markexpr or "") and "not gateway" not in config.option.markexpr
    if asked and any(item.get_closest_marker("gateway") for item in items) and missing_packages():
        pytest.exit(missing_packages(), returncode=1)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        database.setdefault("TEST", {})["NAME"] = str(workdir() / "test.sqlite3")


@pytest.fixture(scope="session")
def gateway_settings(live_server):
    return {
        "MESSAGE_BACKEND": "notifications.gateway.GatewayBackend",
        "SMS_CALLBACK_URL": live_server.url,
        "SMS_GATEWAY_SECRET": SECRET,
        "SMS_SEND_RATE": 50,
        "OUTBOX_RETRY_SECONDS": 1,
        "OUTBOX_URGENT_RETRY_SECONDS": 1,
        "SMS_FALLBACK_SECONDS": 3,
        "SIGNIN_SMS_FALLBACK_SECONDS": 3,
        "KANNEL_USERNAME": "cita",
        "KANNEL_FROM": "12345",
        "KANNEL_TIMEOUT_SECONDS": 5,
        "SITE_URL": "https://cita.example.org",
    }


@pytest.fixture(scope="session")
def smtp():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def kannel(live_server):
    gateway = Kannel(workdir(), live_server.url, SECRET)
    gateway.start()
    yield gateway
    gateway.close()


@pytest.fixture(scope="session")
def wired(kannel, smtp, gateway_settings):
    """Cita's settings pointed at the gateway and the SMTP server, for this process and the sender loop."""
    values = gateway_settings | {
        "KANNEL_SENDSMS_URL": kannel.sendsms_url,
        "KANNEL_PASSWORD": kannel.password,
    }
    mailers = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": smtp.port, "timeout": 5},
        }
    }
    override = override_settings(**values, MAILERS=mailers)
    override.enable()
    yield values | {"EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp.port)}
    override.disable()


def start_sender(values: dict) -> subprocess.Popen:
    """`send_notifications --loop`, as production runs it, on the test database."""
    from django.conf import settings

    env = {**os.environ, **{k: str(v) for k, v in values.items()}, "DEBUG": "false"}
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        env["SQLITE_PATH"] = database["NAME"]
    else:
        env["DATABASE_URL"] = (
            f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST'] or 'localhost'}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        )
    log = open(workdir() / "sender.out", "ab")  # noqa: SIM115 - closed with the process
    command = [sys.executable, "manage.py", "send_notifications", "--loop", "--interval", "0.2", "--events-every", "1"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


@pytest.fixture
def sender(wired, transactional_db):
    process = start_sender(wired)
    yield process
    process.terminate()
    process.wait(10)
