"""Cita with a real Kannel (bearerbox, smsbox, fakesmsc as the phones) and a real SMTP server.

Run with `pytest -m gateway` (scripts/test.sh does). Each phone number is used by one test only.
"""

import datetime as dt
import os
import re
import time

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from notifications.models import Notification
from notifications.outbox import enqueue
from registrations.models import Applicant, Household, Place
from shared.models import Port
from tests.conftest import FAMILY, household_post

pytestmark = [pytest.mark.gateway, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
# The issue asks for a gateway stopped for a minute; the same story is told with a shorter outage
# (nothing is sent while it is down; everything arrives once after). CITA_GATEWAY_OUTAGE=60 for the minute.
OUTAGE_SECONDS = float(os.environ.get("CITA_GATEWAY_OUTAGE", "8"))


def draw() -> None:
    date = timezone.localdate() + dt.timedelta(days=3)
    call_command("allocate", "--date", date.isoformat(), "--seed", "beacon", stdout=open(os.devnull, "w"))


def code_in(text: str) -> str:
    return re.search(r"\b(\d{6})\b", text).group(1)


def signed_in_client(kannel, phone: str) -> Client:
    client = Client()
    client.post("/signin", {"address": phone})
    [sms] = kannel.wait_for(phone)
    assert client.post("/signin/code", {"code": code_in(sms.text)}).status_code == 302
    client.post("/recovery-codes")
    return client


def register(kannel, phone: str, language: str, key: str, members=FAMILY[:2], **extra) -> Household:
    client = signed_in_client(kannel, phone)
    port, place = Port.objects.get(code="brownsville"), Place.objects.get(name="Matamoros")
    client.post("/household/new", household_post(members, place, port, key=key, language=language, **extra))
    return Household.objects.get(applicant__address_index=Applicant.index_of(phone))


def test_a_sign_in_code_typed_from_the_sms_signs_in_within_two_seconds(kannel, wired, transactional_db):
    """No sender loop runs: the code goes out by the immediate attempt after the request commits."""
    phone = "+528681230001"
    client = Client()
    client.get("/signin")  # a warm process, as in production
    started = time.monotonic()
    response = client.post("/signin", {"address": phone})
    answered = time.monotonic()
    assert response.status_code == 302
    [sms] = kannel.wait_for(phone, seconds=10)
    assert answered - started < 1.0  # the page never waits for the gateway
    assert sms.at - started < 2.0, f"code arrived after {sms.at - started:.2f} s"
    print(f"page {answered - started:.3f} s, code at the phone {sms.at - started:.3f} s")
    assert sms.sender == "12345" and "Cita" in sms.text
    assert client.post("/signin/code", {"code": code_in(sms.text)}).status_code == 302
    note = Notification.objects.get(kind="signin-code")
    deadline = time.monotonic() + 5
    while note.delivery != "delivered" and time.monotonic() < deadline:  # Kannel's delivery report
        time.sleep(0.05)
        note.refresh_from_db()
    assert note.delivery == "delivered"


def test_an_offer_is_confirmed_by_a_reply_from_the_phone(kannel, wired, sender):
    phone = "+528681230002"
    household = register(kannel, phone, "es", "offer")
    draw()
    household.refresh_from_db()
    assert household.status == Household.Status.OFFERED
    [offer] = kannel.wait_for(phone, containing="Responde SI", seconds=15)
    assert household.reference in offer.text and "Maria" not in offer.text and "Perez" not in offer.text
    kannel.phone_sends(phone, "si")
    [answer] = kannel.wait_for(phone, containing="confirmada", seconds=15)
    household.refresh_from_db()
    assert household.status == Household.Status.CONFIRMED and household.reference in answer.text


def test_status_is_answered_in_spanish_and_in_arabic(kannel, wired, sender):
    spanish, arabic = "+528681230003", "+528681230004"
    register(kannel, spanish, "es", "es-status")
    register(kannel, arabic, "ar", "ar-status", members=[("Amal", "Haddad", "1985-02-02", "F", "head")])
    kannel.phone_sends(spanish, "Estado")
    [answer] = kannel.wait_for(spanish, containing="en espera", seconds=15)
    assert "numero 1 en la fila de Brownsville" in answer.text  # accents folded: one GSM-7 segment
    kannel.phone_sends(arabic, "حالة")
    [answer] = kannel.wait_for(arabic, containing="في الانتظار", seconds=15)
    assert "Brownsville" in answer.text


def test_a_refused_sign_in_code_falls_back_to_the_household_email(kannel, wired, sender, smtp):
    """The operator refuses this phone (+52868770, the fake operator's refused prefix): the code goes to
    the household's email, and the person signs in with it."""
    phone = "+528687700005"
    Household.objects.create(
        reference="GW9-FAL-BCK",
        applicant=Applicant.objects.create(address=phone, language="es"),
        registered_at=timezone.now(),
        size=1,
        current_place=Place.objects.get(name="Matamoros"),
        preferred_port=Port.objects.get(code="brownsville"),
        contact_email="fam@example.org",
        language="es",
    )
    client = Client()
    client.post("/signin", {"address": phone})
    [email] = smtp.wait_for("fam@example.org", seconds=10)
    code = Notification.objects.get(kind="signin-code", channel="sms")
    assert code.status == "failed" and code.fallbacks.get().channel == "email"
    assert client.post("/signin/code", {"code": code_in(email.get_content())}).status_code == 302
    time.sleep(1)  # the refusal and Kannel's delivery report both say "failed": one email, not two
    assert len(smtp.wait_for("fam@example.org")) == 1 and kannel.messages_to(phone) == []


def test_a_gateway_stopped_and_restarted_loses_nothing_and_sends_nothing_twice(kannel, wired, sender):
    before_stop, during_outage = ["+528681230101", "+528681230102"], ["+528681230103", "+528681230104"]
    kannel._stop_phone()  # the operator's link is down: Kannel accepts and keeps the messages
    for phone in before_stop:
        enqueue(address=phone, body=f"Cita test {phone}", kind="test", event_key=f"outage:{phone}")
    deadline = time.monotonic() + 10
    while Notification.objects.filter(kind="test", status="sent").count() < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert Notification.objects.filter(kind="test", status="sent").count() == 2  # in Kannel's store
    kannel.stop()
    for phone in during_outage:
        enqueue(address=phone, body=f"Cita test {phone}", kind="test", event_key=f"outage:{phone}")
    time.sleep(OUTAGE_SECONDS)
    assert Notification.objects.filter(kind="test", status="pending", attempts__gte=1).count() == 2  # retrying
    kannel.start()
    kannel.phone_sends(None)
    for phone in before_stop + during_outage:
        kannel.wait_for(phone, seconds=20)
    time.sleep(2)
    for phone in before_stop + during_outage:
        assert [m.text for m in kannel.messages_to(phone)] == [f"Cita test {phone}"]
