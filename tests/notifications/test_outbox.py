"""The outbox sends each message once, even when the sender loop and an urgent attempt meet."""

import datetime as dt
import io

import pytest
from django.utils import timezone

from notifications.management.commands.send_notifications import Command
from notifications.models import Notification
from notifications.outbox import _deliver_in_thread, deliver_due, deliver_one, enqueue
from shared.models import OutboundMessage
from tests.conftest import read_only_database


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


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_urgent_send_that_meets_a_database_outage_is_put_off_in_one_line_and_sent_by_the_loop(caplog):
    # The disk-full drill: a sign-in code committed, then the database filled up before its thread ran.
    note = enqueue(address="+528681234567", body="Cita code 123456", kind="signin-code", event_key="outage")
    with read_only_database():
        _deliver_in_thread(note.pk)
    assert [(r.levelname, r.exc_info) for r in caplog.records if "urgent delivery" in r.getMessage()] == [
        ("WARNING", None)  # an outage is not a bug: no traceback for the operator to chase
    ]
    assert deliver_due() == (1, 0)
    assert [m.body for m in OutboundMessage.objects.all()] == ["Cita code 123456"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sender_loop_outlasts_a_database_outage_and_sends_once_it_is_back():
    enqueue(address="+528681234567", body="Cita test", kind="test", event_key="loop")
    loop = Command(stdout=io.StringIO(), stderr=io.StringIO())
    with read_only_database():
        events_at = loop.loop_round(0.0, 60)
    with read_only_database():  # again: the loop reconnected after the first failure
        assert loop.loop_round(events_at, 60) == events_at  # the events' turn is tried again
    loop.loop_round(events_at, 60)
    assert [m.body for m in OutboundMessage.objects.all()] == ["Cita test"]
    assert loop.stderr.getvalue().count("database unavailable") == 1
    assert "database available again" in loop.stderr.getvalue()
