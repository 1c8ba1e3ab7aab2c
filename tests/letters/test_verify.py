"""The officer scans a letter: VALID with what it says and until when, NO LONGER VALID with why
and since when (never the family's details), or NOT VALID for any changed character."""

import datetime as dt
import re

import pytest
from django.test import Client

from allocation import appointments
from allocation.models import Appointment
from allocation.runs import end_appointment
from letters import checkin, issue, keys, validity
from letters.models import Letter
from shared.models import AuditEntry

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def end_by(kind: str, letter: Letter, appointment: Appointment, olga_user) -> None:
    """Make the letter stop being valid in one of the ways a family meets."""
    if kind == "cancelled":
        appointments.cancel(appointment)
    elif kind == "rescheduled":
        end_appointment(appointment, Appointment.Status.CANCELLED, Appointment.CancelReason.RESCHEDULED)
    elif kind == "expired":
        end_appointment(appointment, Appointment.Status.EXPIRED)
    elif kind == "missed":
        end_appointment(appointment, Appointment.Status.MISSED)
    elif kind == "used":
        checkin.check_in(appointment, appointment.port, olga_user, now=appointment.window_start)
    elif kind == "revoked":
        assert issue.revoke(letter, olga_user, "The family's papers were stolen; a new letter was printed.")


@pytest.mark.django_db
def test_it_says_valid_with_what_the_letter_states_and_until_when(letter, appointment, client):
    page = client.get("/verify", {"code": letter.signed}).content.decode()
    assert "VALID" in page and "NOT VALID" not in page and "NO LONGER VALID" not in page
    assert appointment.household.reference in page and "Brownsville" in page and "Valid until" in page
    assert "María" not in page and "Pérez" not in page
    answer = client.get("/verify", {"code": letter.signed, "format": "json"}).json()
    assert answer["verdict"] == "VALID"
    assert answer["statement"]["people"] == 3 and answer["statement"]["port"] == "brownsville"
    until = dt.datetime.fromisoformat(answer["valid_until"])
    assert until == appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["cancelled", "rescheduled", "expired", "missed", "used", "revoked"])
def test_a_letter_whose_appointment_ended_is_no_longer_valid(kind, letter, appointment, client, olga):
    from django.contrib.auth import get_user_model

    end_by(kind, letter, appointment, get_user_model().objects.get(username="olga"))
    page = client.get("/verify", {"code": letter.signed}).content.decode()
    page = re.search(r"<main.*?<form", page, flags=re.S).group(0)  # the answer, not the code typed
    assert "NO LONGER VALID" in page and str(validity.REASONS[kind]) in page
    assert appointment.household.reference not in page and "Brownsville" not in page and "María" not in page
    answer = client.get("/verify", {"code": letter.signed, "format": "json"}).json()
    assert answer == {
        "verdict": "NO LONGER VALID",
        "reason": kind,
        "reason_text": str(validity.REASONS[kind]),
        "since": answer["since"],
    }
    assert answer["since"] is not None and "statement" not in answer
    assert f"{letter.serial}|{kind}|" in client.get("/letters/revoked").content.decode()


@pytest.mark.django_db
def test_a_letter_is_no_longer_valid_after_its_window_and_grace_period(letter, appointment):
    until = appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes)
    assert validity.check(letter.signed, now=until - dt.timedelta(minutes=1)).outcome == validity.VALID
    late = validity.check(letter.signed, now=until)
    assert (late.outcome, late.reason, late.since) == (validity.NO_LONGER_VALID, "period_over", until)


@pytest.mark.django_db
def test_any_changed_character_makes_it_not_valid(letter, client):
    code = letter.signed
    assert validity.check(code).outcome == validity.VALID
    for position, char in enumerate(code):
        for other in {"A", "0", "|", "~"} - {char}:
            changed = code[:position] + other + code[position + 1 :]
            assert validity.check(changed).outcome == validity.NOT_VALID, (position, other)


@pytest.mark.django_db
def test_the_signature_has_one_spelling_only(letter, client):
    """86 base64url characters carry 516 bits for 512: 15 other last characters decode to the same bytes."""
    statement, kid, signature = letter.signed.rsplit("~", 2)
    assert len(signature) == 86 and keys._unb64(signature) == keys._unb64(signature[:-1] + signature[-1])
    spellings = [signature[:-1] + c for c in ALPHABET if c != signature[-1]]
    same_bytes = [s for s in spellings if keys._unb64(s) == keys._unb64(signature)]
    assert len(same_bytes) == 15  # what a lenient decoder accepts
    for spelling in spellings:
        page = client.get("/verify", {"code": f"{statement}~{kid}~{spelling}"}).content.decode()
        assert "NOT VALID" in page, spelling
    assert "NOT VALID" in client.get("/verify", {"code": letter.signed + "="}).content.decode()


@pytest.mark.django_db
def test_garbage_is_not_valid_and_an_empty_json_question_is_explained(client):
    for code in ["x~y~z", "CITA2|A|||||³|||~k~s", "~~", "é" * 300]:
        assert client.get("/verify", {"code": code, "format": "json"}).json() == {"verdict": "NOT VALID"}
    assert client.get("/verify", {"format": "json"}).status_code == 400


@pytest.mark.django_db
def test_a_person_joining_in_the_same_window_gets_a_new_letter_and_the_old_one_stops(maria, letter, appointment):
    Appointment.objects.filter(pk=appointment.pk).update(people=4)
    maria.get("/household/letter")
    new = Letter.objects.get(appointment=appointment, revoked_at__isnull=True)
    assert new.pk != letter.pk and "|4|" in new.signed
    assert validity.check(letter.signed).reason == "revoked"
    assert validity.check(new.signed).outcome == validity.VALID
    assert not AuditEntry.objects.filter(action="revoke letter").exists()  # no person did this


@pytest.mark.django_db
def test_the_check_counts_against_the_same_limit_as_the_page(client, settings):
    settings.RATE_LIMITS = {"verify": 2}
    assert client.get("/verify", {"code": "x~y~z"}).status_code == 200
    assert client.get("/verify", {"code": "x~y~z", "format": "json"}).status_code == 200
    refused = client.get("/verify", {"code": "x~y~z", "format": "json"})
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert refused.json()["retry_after"] == refused["Retry-After"]
    assert Client(REMOTE_ADDR="10.0.0.9").get("/verify", {"code": "x~y~z", "format": "json"}).status_code == 200


@pytest.mark.django_db
def test_exemption_letters_signed_before_review_are_withdrawn_by_the_migration(letter, appointment):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("letters.migrations.0004_withdraw_unreviewed_exemption_letters")
    reference = appointment.household.reference
    old = keys.sign(f"CITA1|E|{reference}||||3|child|2026-11-30")  # "child travelling alone", never reviewed
    Letter.objects.create(household=appointment.household, case="child", signed=old)
    assert validity.check(old).outcome == validity.VALID  # CITA1 letters are still read
    migration.forwards(apps, None)
    late = validity.check(old)
    assert (late.outcome, late.reason) == (validity.NO_LONGER_VALID, "revoked")
    assert validity.check(letter.signed).outcome == validity.VALID  # today's letters are untouched
