"""A phone without data texts Cita: STATUS, the offer's reply word, STOP, START, CODE. Only the
household's own phone gets answers about it; anyone else gets one short help text, counted."""

import re

import pytest
from django.test import Client

from notifications.models import InboundMessage, Notification
from registrations.models import Household
from shared.encryption import blind_index
from shared.models import OutboundMessage
from shared.ratelimit import limit_of
from tests.after_draw.test_story import draw
from tests.conftest import FAMILY, household_post

MARIA = "+528681234567"


SECRET = "dev-only-sms-gateway-secret"


def text(body: str, sender: str = MARIA, secret: str = SECRET, **extra):
    return Client(**extra).get("/messages/kannel/incoming", {"from": sender, "text": body, "secret": secret})


def answers_to(address: str) -> list[str]:
    index = blind_index("address", address)
    return [m.body for m in OutboundMessage.objects.filter(address_index=index).order_by("created_at")]


@pytest.fixture
def waiting(maria, matamoros, brownsville) -> Household:
    maria.post("/household/new", household_post(FAMILY[:3], matamoros, brownsville))  # language: Spanish
    return Household.objects.get()


@pytest.mark.django_db
def test_it_answers_status_in_the_household_language(waiting):
    assert text("estado").status_code == 200
    answer = answers_to(MARIA)[-1]
    assert waiting.reference in answer and "en espera, número 1 en la fila de Brownsville, TX" in answer
    assert "María" not in answer and "Pérez" not in answer
    inbound = InboundMessage.objects.get()
    assert inbound.command == "status" and inbound.household == waiting and inbound.answer.body.startswith("Cita")


@pytest.mark.django_db
def test_it_confirms_an_offer_with_the_word_the_offer_gave(waiting):
    draw()
    text("Sí")
    waiting.refresh_from_db()
    assert waiting.status == Household.Status.CONFIRMED
    assert "confirmada" in answers_to(MARIA)[-1]
    text("SI")  # a resend changes nothing and says so kindly
    assert "confirmada" in answers_to(MARIA)[-1]


@pytest.mark.django_db
def test_stop_ends_messages_but_not_the_registration_and_start_brings_them_back(waiting):
    from notifications.events import queue_events

    text("STOP")
    assert "no recibirás más mensajes" in answers_to(MARIA)[-1]
    draw()
    queue_events()
    offer = Notification.objects.get(kind="offered")
    assert offer.channel == "app"  # kept in the history, not sent
    waiting.refresh_from_db()
    assert waiting.status == Household.Status.OFFERED
    text("inicio")
    assert "volverás a recibir" in answers_to(MARIA)[-1]


@pytest.mark.django_db
def test_code_sends_a_new_sign_in_code(waiting):
    before = len(answers_to(MARIA))
    text("codigo")
    assert len(answers_to(MARIA)) == before + 1
    assert re.search(r"\b\d{6}\b", answers_to(MARIA)[-1])  # the code itself, in the household's language


@pytest.mark.django_db
def test_a_stranger_gets_one_short_help_text_and_then_silence(waiting, settings):
    stranger = "+528680000001"
    for _i in range(4):
        text("estado", sender=stranger)
    replies = answers_to(stranger)
    assert len(replies) == limit_of("sms-help")
    assert "no está registrado" in replies[0] and waiting.reference not in replies[0]
    assert InboundMessage.objects.filter(household__isnull=True).count() == 4  # every text kept


@pytest.mark.django_db
def test_only_the_gateway_may_call(waiting):
    assert text("estado", secret="wrong").status_code == 403
    assert text("estado", REMOTE_ADDR="203.0.113.9").status_code == 403
    assert InboundMessage.objects.count() == 0
    assert Client().get("/messages/kannel/delivery", {"id": "1", "sig": "x", "type": "1"}).status_code == 403


@pytest.mark.django_db
def test_texts_and_answers_are_encrypted_and_erased_with_the_household(waiting):
    from django.db import connection

    from housekeeping.retention import erase_household

    text("estado")
    with connection.cursor() as cursor:
        cursor.execute("select body, address from notifications_inboundmessage")
        body, address = cursor.fetchone()
    assert "estado" not in body and MARIA not in address
    erase_household(waiting)
    assert InboundMessage.objects.count() == 0 and Notification.objects.count() == 0
