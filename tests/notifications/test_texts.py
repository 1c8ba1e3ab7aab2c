"""Every SMS Cita sends, in every language, fits one segment where the language allows: GSM-7 for
the Latin-script languages (accents folded), and a known, small number of UCS-2 segments for
Arabic, Chinese and Russian."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from notifications import events, words
from notifications.sms import cost, fold_to_gsm7

LATIN = ["en", "es", "ht", "fr", "pt"]
UCS2 = ["ru", "zh-hans", "ar"]
# The most segments any message may cost in a UCS-2 language (70 characters per segment).
UCS2_MOST = 3
LONGEST = {"reference": "XXX-XXX-XXX", "port": "Brownsville, TX", "position": 123456, "earliest": 999, "latest": 9999}


def appointment():
    port = SimpleNamespace(name="Brownsville, TX (Gateway International Bridge)", zone=dt.UTC)
    start = dt.datetime(2026, 12, 24, 15, 30, tzinfo=dt.UTC)
    return SimpleNamespace(
        household=SimpleNamespace(reference="XXX-XXX-XXX"), port=port, window_start=start, date=start.date()
    )


def every_sms(language: str) -> dict[str, str]:
    with translation.override(language):
        texts = {
            kind: events.body_for(kind, appointment())
            for kind in ("offered", "reminder", "cancelled", "port_closed", "rescheduled", "expired", "missed")
        }
        values = events.appointment_values(appointment()) | LONGEST
        values |= {w: words.word(w, language) for w in ("status", "code", "stop", "start")}
        values |= {"code": "123456", "minutes": 10, "link": values["link"]}
        for name, msgid in [
            (
                "signin",
                "Your Cita code is %(code)s. It works for %(minutes)s minutes. Never share it: "
                "Cita staff will never ask for it.",
            ),
            (
                "status-offer",
                "Cita %(reference)s: appointment %(date)s %(time)s at %(port)s. Reply %(yes)s to confirm.",
            ),
            (
                "status-wait",
                "Cita %(reference)s: waiting, number %(position)s in line at %(port)s. Expected wait: "
                "%(earliest)s to %(latest)s days.",
            ),
            (
                "confirmed",
                "Cita %(reference)s: confirmed. Come to %(port)s on %(date)s at %(time)s. Your letter: %(link)s",
            ),
            ("stop", "Cita: you will get no more messages. You stay registered. Send %(start)s to get them again."),
            (
                "help",
                "Cita: send %(status)s for your situation, %(code)s for a sign-in code, %(stop)s to stop messages.",
            ),
            ("stranger", "Cita: this phone is not registered. Sign in or register at %(link)s"),
        ]:
            texts[name] = _(msgid) % values
    return texts


@pytest.mark.parametrize("language", LATIN)
def test_it_sends_every_message_in_one_gsm7_segment_in_latin_script_languages(language):
    assert settings.SITE_URL  # the link in messages: measured with a 30-character address below
    for name, text in every_sms(language).items():
        folded = fold_to_gsm7(text.replace(settings.SITE_URL, "https://cita.example.org"))
        measured = cost(folded)
        assert measured.encoding == "GSM-7", (language, name, folded)
        assert measured.segments == 1, (language, name, measured.units, folded)


@pytest.mark.parametrize("language", UCS2)
def test_it_keeps_ucs2_messages_short(language):
    for name, text in every_sms(language).items():
        measured = cost(fold_to_gsm7(text.replace(settings.SITE_URL, "https://cita.example.org")))
        assert measured.encoding == "UCS-2"
        assert measured.segments <= UCS2_MOST, (language, name, measured.units, text)
        if name == "signin":  # the message that matters most fits one segment in every language
            assert measured.segments == 1, (language, measured.units, text)


def test_it_counts_segments_like_a_phone():
    assert cost("a" * 160).segments == 1 and cost("a" * 161).segments == 2 and cost("a" * 306).segments == 2
    assert cost("€" * 80).units == 160 and cost("€" * 81).segments == 2  # the euro sign costs two septets
    assert cost("ж" * 70).segments == 1 and cost("ж" * 71).segments == 2 and cost("ж" * 134).segments == 2
    assert fold_to_gsm7("Código válido, confirmação") == "Codigo valido, confirmacao"
    assert fold_to_gsm7("رمز 123") == "رمز 123"  # Arabic stays Arabic (UCS-2)
    assert fold_to_gsm7("Vous êtes à Ciudad Juárez") == "Vous etes à Ciudad Juarez"  # à is GSM-7: kept
