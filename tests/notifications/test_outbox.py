"""The outbox sends each message once, even when the sender loop and an urgent attempt meet."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications.models import Notification
from notifications.outbox import deliver_due, deliver_one, enqueue
from shared.models import OutboundMessage


@pytest.mark.django_db
def test_two_senders_reaching_for_one_message_send_it_once():
    note = enqueue(address="+528681234567", body="Cita test", kind="test", event_key="race")
    assert deliver_one(note.pk) is True
    assert deliver_one(note.pk) is None  # the other sender finds it sent
    assert deliver_due(timezone.now() + dt.timedelta(hours=1)) == (0, 0)
    assert [m.body for m in OutboundMessage.objects.all()] == ["Cita test"]


@pytest.mark.django_db
def test_a_message_claimed_by_a_sender_that_died_is_sent_after_the_claim_runs_out():
    note = enqueue(address="+528681234567", body="Cita test", kind="test", event_key="claimed")
    Notification.objects.filter(pk=note.pk).update(
        status="sending", next_attempt_at=timezone.now() + dt.timedelta(seconds=60)
    )
    assert deliver_one(note.pk) is None  # still claimed
    assert deliver_one(note.pk, timezone.now() + dt.timedelta(seconds=61)) is True
    assert [m.body for m in OutboundMessage.objects.all()] == ["Cita test"]


@pytest.mark.django_db
def test_an_event_is_queued_once():
    assert enqueue(address="+528681234567", body="a", kind="test", event_key="once") is not None
    assert enqueue(address="+528681234567", body="a", kind="test", event_key="once") is None
