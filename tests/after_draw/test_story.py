"""After the draw: offered, confirmed, letter verified, checked in; and what can go wrong."""

import datetime as dt
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from django.core.management import call_command
from django.utils import timezone

from allocation import appointments
from allocation.models import Appointment
from letters import keys
from notifications.events import queue_events
from notifications.models import Notification
from notifications.outbox import deliver_due
from registrations.models import Household
from shared.encryption import blind_index
from shared.models import OutboundMessage, Port
from tests.conftest import FAMILY, household_post, member_fields, staff_client

DRAW_DATE = (timezone.localdate() + dt.timedelta(days=3)).isoformat()


def draw(date: str = DRAW_DATE) -> None:
    call_command("allocate", "--date", date, "--seed", "public-beacon-value", stdout=open("/dev/null", "w"))


@pytest.fixture
def offered(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))
    household = Household.objects.get()
    page = maria.get("/household").content.decode()
    assert "You are waiting for an appointment." in page and "Your place in the waiting-time line" in page
    draw()
    household.refresh_from_db()
    assert household.status == Household.Status.OFFERED
    return household


@pytest.mark.django_db
def test_registered_allocated_offered_confirmed_letter_verified_checked_in(maria, offered, brownsville, client):
    appointment = Appointment.objects.get(household=offered)
    assert appointment.people == 3 and appointment.port == brownsville

    page = maria.get("/household").content.decode()
    assert "Your family has an appointment offer" in page
    local = timezone.localtime(appointment.window_start, brownsville.zone)
    assert local.strftime("%H:%M") in page and brownsville.address in page
    assert "María José Pérez Rojas" in page and "Confirm: we will come" in page

    queue_events()
    deliver_due()
    [sms] = [m for m in OutboundMessage.objects.all() if offered.reference in m.body]
    assert "/household" in sms.body and "María" not in sms.body and "Pérez" not in sms.body

    assert maria.get("/household/letter")["Location"] == "/household"  # confirm first
    maria.post("/household/appointment/confirm")
    assert "Your appointment is confirmed" in maria.get("/household").content.decode()
    letter = maria.get("/household/letter").content.decode()
    assert "<svg" in letter and offered.reference in letter and "Ana Pérez Rojas" in letter

    signed = appointment.letter_set.get().signed
    published = client.get("/letters/keys?format=json").json()["keys"]
    kid = signed.rsplit("~", 2)[1]
    statement, _kid, signature = signed.rsplit("~", 2)
    public = Ed25519PublicKey.from_public_bytes(keys._unb64(published[kid]))
    public.verify(keys._unb64(signature), f"{kid}~{statement}".encode())  # offline check with the published key

    valid = client.get("/verify", {"code": signed}).content.decode()
    assert "VALID" in valid and "NOT VALID" not in valid and offered.reference in valid and "María" not in valid
    tampered = signed.replace("|3|", "|4|")
    assert "NOT VALID" in client.get("/verify", {"code": tampered}).content.decode()

    olga = staff_client("olga", "operator", None)
    now = timezone.now()
    Appointment.objects.filter(pk=appointment.pk).update(window_start=now, window_end=now + dt.timedelta(minutes=30))
    page = olga.post("/staff/check-in", {"code": signed, "port": brownsville.pk, "confirm": "1"}, follow=True)
    assert "Checked in" in page.content.decode()
    offered.refresh_from_db()
    assert offered.status == Household.Status.CHECKED_IN


@pytest.mark.django_db
def test_an_unconfirmed_offer_expires_and_the_household_keeps_its_priority(offered, settings):
    priority = offered.registered_at
    assert appointments.expire_offers() == 0
    later = timezone.now() + dt.timedelta(hours=settings.OFFER_CONFIRM_HOURS, minutes=1)
    assert appointments.expire_offers(now=later) == 1
    offered.refresh_from_db()
    assert offered.status == Household.Status.WAITING and offered.registered_at == priority
    assert Appointment.objects.get().status == Appointment.Status.EXPIRED


@pytest.mark.django_db
def test_once_check_in_closes_without_the_family_the_appointment_is_missed_and_they_wait_again(offered):
    appointment = Appointment.objects.get()
    on_time = appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes - 1)
    too_late = appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes + 1)
    assert appointments.mark_missed(now=on_time) == 0
    assert appointments.mark_missed(now=too_late) == 1
    assert Appointment.objects.get().status == Appointment.Status.MISSED
    offered.refresh_from_db()
    assert offered.status == Household.Status.WAITING


@pytest.mark.django_db
def test_a_member_added_after_the_offer_joins_the_appointment_when_there_is_room(maria, offered):
    maria.post(
        "/household/members/add",
        {**member_fields("", "Mateo", "Pérez Rojas", "2025-02-02", sex="M"), "idempotency_key": "late"},
    )
    appointment = Appointment.objects.get()
    assert appointment.status == Appointment.Status.OFFERED and appointment.people == 4
    offered.refresh_from_db()
    assert offered.size == 4


@pytest.mark.django_db
def test_a_member_added_when_the_window_is_full_reschedules_the_whole_household(maria, offered):
    Port.objects.filter(code="brownsville").update(daily_capacity=3)
    priority = offered.registered_at
    maria.post(
        "/household/members/add",
        {**member_fields("", "Mateo", "Pérez Rojas", "2025-02-02", sex="M"), "idempotency_key": "late"},
    )
    assert Appointment.objects.get().status == Appointment.Status.CANCELLED
    assert "your whole family will be among the first at the next draw" in maria.get("/household").content.decode()
    offered.refresh_from_db()
    assert offered.status == Household.Status.WAITING and offered.size == 4 and offered.registered_at == priority


@pytest.mark.django_db
def test_the_household_can_cancel_and_keeps_its_place(maria, offered):
    assert "Cancel the appointment?" in maria.get("/household/appointment/cancel").content.decode()
    maria.post("/household/appointment/cancel")
    offered.refresh_from_db()
    assert offered.status == Household.Status.WAITING
    assert "You cancelled your last appointment." in maria.get("/household").content.decode()


class FlakyBackend:
    """A provider that fails twice, then works (a real backend class, named in MESSAGE_BACKEND)."""

    calls = 0

    def send(self, *, channel, address, subject, body, message_id=""):
        FlakyBackend.calls += 1
        if FlakyBackend.calls <= 2:
            raise ConnectionError("provider down")
        OutboundMessage.objects.create(
            channel=channel, address=address, subject=subject, body=body, address_index=blind_index("address", address)
        )


@pytest.mark.django_db
def test_delivery_retries_with_backoff_and_never_sends_twice(offered, settings):
    settings.MESSAGE_BACKEND = "tests.after_draw.test_story.FlakyBackend"
    FlakyBackend.calls = 0
    assert queue_events() == 1
    assert queue_events() == 0
    now = timezone.now()
    assert deliver_due(now) == (0, 1)
    assert deliver_due(now) == (0, 0)  # not due yet: backoff
    assert deliver_due(now + dt.timedelta(minutes=1)) == (0, 1)
    assert deliver_due(now + dt.timedelta(minutes=3)) == (1, 0)
    assert deliver_due(now + dt.timedelta(hours=9)) == (0, 0)
    note = Notification.objects.get(kind="offered")
    assert note.status == "sent" and note.delivery_attempts.count() == 3
    assert [offered.reference in m.body for m in OutboundMessage.objects.all()].count(True) == 1


@pytest.mark.django_db
def test_messages_are_in_the_household_language(offered):
    Household.objects.update(language="es")
    queue_events()
    body = Notification.objects.get(kind="offered").body
    assert offered.reference in body and "/household" in body
    assert "appointment" not in body and re.search(r"\bcita\b", body)
