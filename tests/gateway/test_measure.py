"""How fast messages reach the phones through a real Kannel: sign-in codes, and a draw's offers.

In the gateway test group these run small (10 codes, 100 offers at 50 a second). The numbers in
docs/deployment.md come from the full runs:

    CITA_MEASURE_CODES=100 CITA_MEASURE_OFFERS=1450 CITA_MEASURE_RATE=20 \\
        .venv/bin/python -m pytest -q -s -p no:randomly -m gateway tests/gateway/test_measure.py
"""

import os
import statistics
import time

import pytest
from django.test import Client

from notifications.models import Notification
from notifications.outbox import enqueue
from tests.gateway.conftest import start_sender

pytestmark = [pytest.mark.gateway, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODES = int(os.environ.get("CITA_MEASURE_CODES", "10"))
OFFERS = int(os.environ.get("CITA_MEASURE_OFFERS", "100"))
RATE = int(os.environ.get("CITA_MEASURE_RATE", "50"))
OFFER = "Cita 4K7-XQ9-M3P: cita el 24/12/2026 a las 09:30 en Brownsville, TX. Responde SI para confirmar en 48 h. "


def test_sign_in_codes_reach_the_phone_within_two_seconds(kannel, wired, sender, settings):
    settings.RATE_LIMITS_ENABLED = False  # one test client asks for many codes
    client = Client()
    client.get("/signin")
    seconds = []
    for i in range(CODES):
        phone = f"+52868200{i:04d}"
        started = time.monotonic()
        assert client.post("/signin", {"address": phone}).status_code == 302
        [sms] = kannel.wait_for(phone, seconds=10)
        seconds.append(sms.at - started)
    median, worst = statistics.median(seconds), max(seconds)
    print(f"\nsign-in request to code at fakesmsc, {CODES} codes: median {median:.3f} s, worst {worst:.3f} s")
    assert worst < 2.0


def test_a_draws_offers_reach_the_phones_at_the_configured_rate(kannel, wired, transactional_db):
    phones = [f"+52868300{i:04d}" for i in range(OFFERS)]
    wanted = set(phones)
    for i, phone in enumerate(phones):
        enqueue(address=phone, body=OFFER + f"#{i}", kind="offered", event_key=f"measure:{i}")
    started = time.monotonic()
    process = start_sender(wired | {"SMS_SEND_RATE": RATE})
    try:
        deadline = started + OFFERS / RATE * 2 + 30
        while len(arrived := [m for m in list(kannel.received) if m.receiver in wanted]) < OFFERS:
            assert time.monotonic() < deadline, f"{OFFERS - len(arrived)} offers still missing"
            time.sleep(0.1)
        last = max(m.at for m in arrived)
    finally:
        process.terminate()
        process.wait(10)
    took = last - started
    print(f"\n{OFFERS} offers at SMS_SEND_RATE={RATE}: all at fakesmsc after {took:.1f} s ({OFFERS / took:.1f}/s)")
    assert took >= (OFFERS - 1) / RATE * 0.95  # the operator's throttle is respected
    assert took <= OFFERS / RATE * 1.3 + 5  # and the outbox keeps up with it
    assert Notification.objects.filter(kind="offered", status="sent").count() == OFFERS
    for phone in phones[:: max(1, OFFERS // 20)]:
        assert len(kannel.messages_to(phone)) == 1  # none twice
