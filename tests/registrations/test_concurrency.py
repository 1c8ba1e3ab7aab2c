"""Two phones submitting the same person at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection
from django.test import Client

from registrations.models import Household, Member
from tests.conftest import FAMILY, household_post, sign_in


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_submits_of_the_same_person_leave_them_in_one_household(matamoros, brownsville):
    clients = []
    for phone in ("+528681110001", "+528681110002", "+528681110003", "+528681110004"):
        client = Client()
        sign_in(client, phone)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def submit(client: Client, n: int) -> None:
        try:
            family = [(f"Head{'abcd'[n]}", "Solo", "1980-01-01", "F", "head"), FAMILY[2]]
            data = household_post(family, matamoros, brownsville, key=f"race-{n}")
            barrier.wait()
            response = client.post("/household/new", data)
            statuses.append(response.status_code)
            if response.status_code == 400:
                assert "already registered in another household" in response.content.decode()
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(c, n)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [302, 400, 400, 400]
    assert [m.given_names for m in Member.objects.filter(is_active=True)].count("Ana") == 1
    assert Household.objects.count() == 1
