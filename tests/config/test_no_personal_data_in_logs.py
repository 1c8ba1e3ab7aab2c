"""Logs and error pages never contain names, phones or birth dates, even when something breaks."""

import logging

import pytest
from django.test import Client

from tests.conftest import FAMILY, household_post

PHONE = "+528681234567"


@pytest.mark.django_db
def test_a_forced_error_leaves_no_personal_data_in_logs_or_page(
    maria, matamoros, brownsville, settings, caplog, capsys
):
    settings.PERSON_KEY_SECRET = None  # a broken configuration: registration cannot compute the duplicate key
    maria.raise_request_exception = False
    with caplog.at_level(logging.DEBUG):
        response = maria.post(
            "/household/new", household_post(FAMILY, matamoros, brownsville, contact_phone="868 765 4321")
        )
    assert response.status_code == 500
    logged = caplog.text + "\n".join(str(r.__dict__) for r in caplog.records) + capsys.readouterr().out
    page = response.content.decode()
    assert "Internal Server Error" in logged  # it was logged, just without the data
    for secret in ("María", "Pérez", "1990-04-12", "2012-01-20", "8687654321", "+52868765", PHONE):
        assert secret not in page, secret
        assert secret not in logged, secret


@pytest.mark.django_db
def test_the_console_outbox_masks_the_phone(capsys):
    Client().post("/signin", {"address": PHONE})
    out = capsys.readouterr().out
    assert "•••4567" in out and PHONE not in out
