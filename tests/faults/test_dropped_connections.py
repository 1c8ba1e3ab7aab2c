"""A phone loses signal right after sending its household, at any point, and sends it again: one household."""

import random
from urllib.parse import urlsplit

import pytest
from django.test import Client

from registrations.models import Household, Member
from tests.conftest import household_post, sign_in
from tests.faults.dropping import form_request, random_drop, resend, send_and_hang_up

DROPS = 50


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_household_exists_once_after_dropped_submits_and_resends(live_server, matamoros, brownsville):
    address = (urlsplit(live_server.url).hostname, urlsplit(live_server.url).port)
    rng = random.Random(8)
    sizes = []
    in_flight = 0
    for n in range(DROPS):
        client = Client()
        sign_in(client, f"+52868555{n:04d}")
        size = rng.randint(1, 8)
        members = [
            (
                f"Drop {chr(97 + n // 26)}{chr(97 + n % 26)}",
                f"Senal {chr(97 + i)}",
                "1990-01-01",
                "F",
                "head" if i == 0 else "child",
            )
            for i in range(size)
        ]
        request = form_request(
            "/household/new",
            household_post(members, matamoros, brownsville, key=f"drop-{n}"),
            client.cookies["sessionid"].value,
        )

        send_and_hang_up(address, request, random_drop(request, rng))
        status, location, told_in_flight = resend(address, request)
        in_flight += told_in_flight

        # The confirmation page with the reference, whether or not the dropped submit had been saved.
        assert status == 302 and location == "/household/registered"
        sizes.append(size)

    print(f"{in_flight} resends were told the first was still being saved (409)")
    assert Household.objects.count() == DROPS
    assert Member.objects.count() == sum(sizes)
