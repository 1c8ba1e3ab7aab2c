"""Olga, the officer at the Brownsville port, checks a family in: she sees what to check first,
and is refused with a clear reason when the appointment is not for here and now."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from allocation.models import Appointment
from letters.models import Letter
from shared.models import AuditAction, AuditEntry

GRACE = 60  # Brownsville's grace period, minutes


def move_window(appointment: Appointment, starts_in_minutes: int) -> None:
    start = timezone.now() + dt.timedelta(minutes=starts_in_minutes)
    end = start + dt.timedelta(minutes=30)
    Appointment.objects.filter(pk=appointment.pk).update(window_start=start, window_end=end)


def post(olga: Client, code: str, port, **extra):
    return olga.post("/staff/check-in", {"code": code, "port": port.pk, **extra})


def checked_in(appointment: Appointment) -> bool:
    appointment.refresh_from_db()
    return appointment.status == Appointment.Status.CHECKED_IN


@pytest.mark.django_db
def test_the_officer_sees_port_date_window_people_and_names_before_confirming(olga, letter, appointment, brownsville):
    assert olga.get("/staff/check-in").status_code == 200 and not AuditEntry.objects.exists()
    for code in (appointment.household.reference.replace("-", "").lower(), letter.signed):
        page = post(olga, code, brownsville, find="1").content.decode()
        assert "Check before you confirm" in page and appointment.household.reference in page
        assert "Brownsville" in page and "Number of people" in page and ">3<" in page
        assert "María José Pérez Rojas" in page and "Ana Pérez Rojas" in page and "Confirmed" in page
        local = timezone.localtime(appointment.window_start, brownsville.zone)
        assert local.strftime("%H:%M") in page
    assert not checked_in(appointment)
    assert not AuditEntry.objects.filter(action=AuditAction.CHECK_IN).exists()


@pytest.mark.django_db
def test_on_time_the_family_is_checked_in_and_the_letter_is_used(olga, letter, appointment, brownsville, client):
    move_window(appointment, starts_in_minutes=-10)
    response = post(olga, letter.signed, brownsville, confirm="1")
    assert response.status_code == 302
    assert "Checked in: " in olga.get("/staff/check-in").content.decode()
    assert checked_in(appointment) and appointment.household.status == "checked_in"
    letter.refresh_from_db()
    assert letter.used_at is not None
    answer = client.get("/verify", {"code": letter.signed, "format": "json"}).json()
    assert answer["verdict"] == "NO LONGER VALID" and answer["reason"] == "used"
    [entry] = AuditEntry.objects.filter(action=AuditAction.CHECK_IN)
    assert entry.household_reference == appointment.household.reference and entry.actor.username == "olga"

    again = post(olga, appointment.household.reference, brownsville, confirm="1").content.decode()
    assert "already checked in" in again or "NO LONGER VALID" in again
    assert AuditEntry.objects.filter(action=AuditAction.CHECK_IN).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("early", "Too early: check-in opens at"),
        ("late", "Too late: check-in closed at"),
        ("wrong port", "This appointment is at \u2068Brownsville"),
        ("unconfirmed", "The appointment is not confirmed"),
    ],
)
def test_each_refusal_says_why_and_changes_nothing(case, message, olga, letter, appointment, brownsville, san_ysidro):
    port = san_ysidro if case == "wrong port" else brownsville
    move_window(appointment, {"early": 90, "late": -30 - GRACE - 5}.get(case, 0))
    if case == "unconfirmed":
        Appointment.objects.filter(pk=appointment.pk).update(status=Appointment.Status.OFFERED)
    response = post(olga, appointment.household.reference, port, confirm="1")
    page = response.content.decode()
    assert response.status_code == 400 and "Check-in refused" in page and message in page
    assert "Enter the reason to check in anyway" in page
    assert not checked_in(appointment) and Letter.objects.get(pk=letter.pk).used_at is None
    assert not AuditEntry.objects.filter(action__in=[AuditAction.CHECK_IN, AuditAction.CHECK_IN_OVERRIDE]).exists()


@pytest.mark.django_db
def test_check_in_opens_at_the_set_margin_before_the_window(olga, appointment, brownsville, settings):
    settings.CHECK_IN_EARLY_MINUTES = 60
    move_window(appointment, starts_in_minutes=61)
    assert post(olga, appointment.household.reference, brownsville, confirm="1").status_code == 400
    move_window(appointment, starts_in_minutes=59)
    assert post(olga, appointment.household.reference, brownsville, confirm="1").status_code == 302


@pytest.mark.django_db
def test_an_operator_overrides_a_refusal_with_a_recorded_reason(olga, letter, appointment, brownsville):
    move_window(appointment, starts_in_minutes=-30 - GRACE - 20)
    reason = "Bus from Matamoros broke down; driver confirmed"
    assert post(olga, letter.signed, brownsville, confirm="1", override=reason).status_code == 302
    assert checked_in(appointment)
    [entry] = AuditEntry.objects.filter(action=AuditAction.CHECK_IN_OVERRIDE)
    assert entry.values == {"port": "brownsville", "problems": ["too_late"], "reason": reason}
    assert "despite: <bdi>too late</bdi>; reason: <bdi>Bus from" in entry.describe()
    assert entry.household_reference == appointment.household.reference


@pytest.mark.django_db
def test_a_changed_or_withdrawn_code_is_refused_with_its_reason(olga, letter, appointment, brownsville):
    move_window(appointment, starts_in_minutes=0)
    changed = letter.signed[:-1] + ("A" if letter.signed[-1] != "A" else "B")
    page = post(olga, changed, brownsville, find="1").content.decode()
    assert "This code is NOT VALID" in page and "María" not in page
    Letter.objects.filter(pk=letter.pk).update(revoked_at=timezone.now())
    page = post(olga, letter.signed, brownsville, confirm="1").content.decode()
    assert "NO LONGER VALID" in page and "withdrawn" in page and not checked_in(appointment)


@pytest.mark.django_db
def test_the_form_says_what_is_missing_and_remembers_the_port(olga, brownsville):
    page = olga.post("/staff/check-in", {"code": "", "port": ""}).content.decode()
    assert "Enter the reference or scan the letter" in page and "Choose the port where you are" in page
    post(olga, "XXX-XXX-XXX", brownsville, find="1")
    assert f'<option value="{brownsville.pk}" selected>' in olga.get("/staff/check-in").content.decode()
