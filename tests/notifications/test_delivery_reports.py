"""Delivery reports from the gateway, and the fallback when an SMS does not arrive."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from notifications.gateway import sign
from notifications.models import Notification
from notifications.outbox import deliver_due
from registrations.models import Household
from shared.messaging import DatabaseBackend
from shared.models import OutboundMessage
from tests.after_draw.test_story import draw
from tests.conftest import FAMILY, household_post


class ReportingBackend(DatabaseBackend):
    """The development backend, but saying it gets delivery reports, like the Kannel one."""

    reports_delivery = True


def report(note: Notification, kind: int, reply: str = "") -> int:
    params = {"id": str(note.pk), "sig": sign("dlr", str(note.pk)), "type": str(kind), "reply": reply}
    return Client().get("/messages/kannel/delivery", params).status_code


@pytest.fixture
def household_with_email(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville, contact_email="maria@example.org"))
    return Household.objects.get()


def emails() -> list[OutboundMessage]:
    return list(OutboundMessage.objects.filter(channel="email"))


@pytest.mark.django_db
def test_a_failed_code_goes_to_the_household_email(household_with_email):
    Client().post("/signin", {"address": "+528681234567"})
    code = Notification.objects.filter(kind="signin-code").first()
    assert code.status == "sent" and code.channel == "sms"
    assert report(code, 8, "ACK/") == 200  # accepted by the operator: not final
    assert emails() == []
    assert report(code, 16, "NACK/no SMSC") == 200
    code.refresh_from_db()
    assert code.delivery == "failed"
    [email] = emails()
    assert email.address == "maria@example.org" and email.body == code.body
    assert report(code, 2) == 200  # a second report changes nothing
    assert len(emails()) == 1


@pytest.mark.django_db
def test_a_delivered_message_is_marked_and_never_falls_back(household_with_email, settings):
    settings.MESSAGE_BACKEND = "tests.notifications.test_delivery_reports.ReportingBackend"
    draw()
    from notifications.events import queue_events

    queue_events()
    deliver_due()
    offer = Notification.objects.get(kind="offered")
    assert report(offer, 1) == 200
    offer.refresh_from_db()
    assert offer.delivery == "delivered" and offer.delivered_at
    deliver_due(timezone.now() + dt.timedelta(hours=1))
    assert emails() == []


@pytest.mark.django_db
def test_an_offer_not_delivered_in_time_goes_to_the_ngo_when_there_is_no_email(rosa, matamoros, brownsville, settings):
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(username="rosa").update(email="rosa@casa.example")
    rosa.post("/staff/households/new", household_post(FAMILY[:2], matamoros, brownsville, contact_phone="8681110000"))
    settings.MESSAGE_BACKEND = "tests.notifications.test_delivery_reports.ReportingBackend"
    draw()
    from notifications.events import queue_events

    queue_events()
    deliver_due()
    offer = Notification.objects.get(kind="offered")
    assert offer.channel == "sms"
    deliver_due(timezone.now() + dt.timedelta(seconds=settings.SMS_FALLBACK_SECONDS - 60))
    assert emails() == []
    deliver_due(timezone.now() + dt.timedelta(seconds=settings.SMS_FALLBACK_SECONDS + 60))
    offer.refresh_from_db()
    assert offer.delivery == "expired"
    [email] = emails()
    household = Household.objects.get()
    assert email.address == "rosa@casa.example" and household.reference in email.body and offer.body in email.body
