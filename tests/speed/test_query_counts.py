"""The busiest requests keep their number of queries: after each draw every waiting household opens
its status page, and after an announcement thousands register at once (issue #18). A change that
adds a query to either fails here; lower the number when a change removes one."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from allocation.models import KeptStatusPage
from registrations.models import Household
from tests.conftest import FAMILY, household_post

# Counted on 3 Dec 2026, the same on SQLite and PostgreSQL (savepoints included: round trips too).
# Status, rendered: the session with its applicant, household and the kept copy looked for (one query),
# recent runs, the household's appointments (the shares of recent draws too, when there are any), same-day
# count, members, organisation links, the copy kept. Shown again from the kept copy: the session with it.
# Registration: the session, the rate counter, the place and the port (one statement), the resend key claimed,
# its lock, the household, its members, the key's result.
STATUS_WAITING = 7
STATUS_OFFERED = 6
STATUS_KEPT = 1
REGISTER_FOUR = 10


def queries(client, method: str, url: str, data=None) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code in (200, 302)
    return [q["sql"] for q in captured.captured_queries]


def status_queries(client) -> tuple[list[str], list[str]]:
    """The queries of a view that renders the page, and of the next one, which shows the kept copy."""
    queries(client, "get", "/household")  # the per-process caches (day counts, latest run) fill once
    KeptStatusPage.objects.all().delete()
    return queries(client, "get", "/household"), queries(client, "get", "/household")


@pytest.mark.django_db
def test_the_status_page_of_a_waiting_household_keeps_its_queries(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    rendered, kept = status_queries(maria)
    assert "You are waiting for an appointment." in maria.get("/household").content.decode()
    assert len(rendered) == STATUS_WAITING, "\n".join(rendered)
    assert len(kept) == STATUS_KEPT, "\n".join(kept)


@pytest.mark.django_db
def test_the_status_page_of_an_offered_household_keeps_its_queries(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    day = timezone.localdate() + dt.timedelta(days=1)
    call_command("allocate", "--date", day.isoformat(), "--seed", "speed", stdout=open("/dev/null", "w"))
    assert Household.objects.get().status == Household.Status.OFFERED
    rendered, kept = status_queries(maria)
    assert "Your family has an appointment offer" in maria.get("/household").content.decode()
    assert len(rendered) == STATUS_OFFERED, "\n".join(rendered)
    assert len(kept) == STATUS_KEPT, "\n".join(kept)


@pytest.mark.django_db
def test_registering_a_household_of_four_keeps_its_queries(maria, matamoros, brownsville):
    maria.get("/household/new")
    sql = queries(maria, "post", "/household/new", household_post(FAMILY[:4], matamoros, brownsville))
    household = Household.objects.get()
    assert household.size == 4 and household.members.count() == 4
    assert len(sql) == REGISTER_FOUR, "\n".join(sql)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
@pytest.mark.django_db
def test_postgresql_plans_the_statements_of_a_busy_page_once(maria, matamoros, brownsville):
    """Planning the signed-in session's join each time cost six times more PostgreSQL CPU than running
    it prepared; Django leaves psycopg's preparing off unless settings turn it on."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    for _ in range(6):
        maria.get("/household")
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any('FROM "registrations_accountsession" s' in statement for statement in prepared), prepared
    assert any("allocation_keptstatuspage kept" in statement for statement in prepared), prepared
