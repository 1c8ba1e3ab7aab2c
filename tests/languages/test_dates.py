"""Every date on every page in the reader's language: month names, day-first or month-first, the
24-hour clock where it is used, and never an ISO date or an English month on a non-English page."""

import datetime as dt
import html
import re
from xml.etree import ElementTree

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.formats import date_format

from allocation.models import Appointment
from notifications.events import queue_events
from notifications.outbox import deliver_due
from registrations.models import Household
from shared.models import OutboundMessage
from tests.conftest import FAMILY, household_post, staff_client

LANGUAGES = [code for code, _name in settings.LANGUAGES]
ENGLISH_DATE_WORDS = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|midnight|noon)\b"
    r"|\b(?:Jan|Feb|Aug|Sept|Oct|Nov|Dec)\.|\b[ap]\.m\."
)
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
HIDDEN = re.compile(r"<(script|style|code|pre|svg|head)\b.*?</\1>", re.S)


def visible_text(page: str) -> str:
    """What a reader sees: tags, attributes, code samples and the language switch left out."""
    page = HIDDEN.sub(" ", page)
    page = re.sub(r'<nav class="languages".*?</nav>', " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ht", "2 desanm 2026, 14:30"),
        ("es", "2 de diciembre de 2026 a las 14:30"),
        ("fr", "2 décembre 2026 14:30"),
        ("ar", "2 ديسمبر، 2026، 2:30 م"),
        ("en", "Dec. 2, 2026, 2:30 p.m."),
    ],
)
def test_a_date_and_time_is_written_the_readers_way(language, expected):
    moment = dt.datetime(2026, 12, 2, 14, 30)
    with translation.override(language):
        assert date_format(moment, "DATETIME_FORMAT") == expected


def test_haitian_creole_has_every_month_and_day():
    months = "janvye fevriye mas avril me jen jiyè out septanm oktòb novanm desanm".split()
    days = "lendi madi mèkredi jedi vandredi samdi dimanch".split()
    with translation.override("ht"):
        assert [date_format(dt.date(2026, m, 1), "F") for m in range(1, 13)] == months
        assert [date_format(dt.date(2026, 11, 30) + dt.timedelta(days=d), "l") for d in range(7)] == days


@pytest.fixture
def confirmed(maria, matamoros, brownsville) -> Household:
    """Maria's family, offered an appointment by the draw, then confirmed; its letter issued."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    draw_date = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    call_command("allocate", "--date", draw_date, "--seed", "beacon", stdout=open("/dev/null", "w"))
    return Household.objects.get()


def pages_in(client: Client, language: str, urls: list[str]) -> dict[str, str]:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = response.content.decode()
    return pages


def assert_dates_are_local(language: str, pages: dict[str, str]) -> None:
    for url, page in pages.items():
        text = visible_text(page)
        assert not ISO_DATE.search(text), f"{url} in {language}: ISO date {ISO_DATE.search(text)[0]}"
        if language != "en":
            found = ENGLISH_DATE_WORDS.search(text)
            assert found is None, f"{url} in {language}: English {found[0]!r}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_applicant_and_public_pages_write_dates_in_every_language(language, maria, confirmed, client):
    appointment = Appointment.objects.get()
    offered_pages = pages_in(maria, language, ["/household"])
    maria.post("/household/appointment/confirm")
    pages = {**offered_pages, **pages_in(maria, language, ["/household"])}
    Household.objects.update(language=language)
    letter = pages_in(maria, language, ["/household/letter"])["/household/letter"]
    # The letter speaks the reader's language and English side by side: its section in the reader's
    # language is checked (the people list shared by both keeps birth dates language-neutral).
    pages["letter section"] = re.search(rf'<section lang="{language}".*?</section>', letter, re.S)[0]
    pages |= pages_in(client, language, ["/draws", f"/draws/{appointment.date}", "/how-it-works", "/where"])
    pages |= pages_in(client, language, ["/statistics"])
    assert_dates_are_local(language, pages)
    with translation.override(language):
        day = date_format(appointment.date, "DATE_FORMAT")
    assert day in visible_text(pages["/household"]) and day in visible_text(pages["letter section"])
    with translation.override(language):
        issued = date_format(timezone.localdate(), "DATE_FORMAT")
    assert issued in visible_text(pages["letter section"])
    assert day in visible_text(pages["/draws"])


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_staff_pages_write_dates_in_every_language(language, confirmed, casa_del_migrante):
    olga = staff_client("olga", "operator", None)
    reference = confirmed.reference
    pages = pages_in(olga, language, ["/staff/", f"/staff/households/{reference}", "/staff/audit", "/staff/tickets"])
    assert_dates_are_local(language, pages)


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ht", "es", "ar"])
def test_the_appointment_message_writes_the_date_in_the_households_language(language, confirmed):
    Household.objects.update(language=language)
    queue_events()
    deliver_due()
    [sms] = [m for m in OutboundMessage.objects.all() if confirmed.reference in m.body]
    appointment = Appointment.objects.get()
    with translation.override(language):
        assert date_format(appointment.date, "DATE_FORMAT") in sms.body
    assert not ENGLISH_DATE_WORDS.search(sms.body)


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "pattern"), [("en", "%m/%d"), ("es", "%d/%m"), ("ru", "%d.%m")])
def test_the_statistics_chart_labels_days_in_the_readers_order(language, pattern, client, confirmed):
    day = Appointment.objects.get().date
    page = pages_in(client, language, ["/statistics"])["/statistics"]
    labels = re.findall(r"<tr><td>([^<]*)</td><td>\d+</td></tr>", page)  # the per-day chart's numbers
    assert day.strftime(pattern) in labels


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ht", "ar", "es", "zh-hans", "ru", "en"])
def test_the_downloaded_letter_writes_dates_the_readers_way_and_nothing_covers_the_code(language, maria, confirmed):
    maria.post("/household/appointment/confirm")
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    svg = maria.get("/household/letter?format=svg").content.decode()
    picture = ElementTree.fromstring(svg)  # noqa: S314 (our own page) a picture every viewer can open
    lines = [(int(t.get("y")), "".join(t.itertext())) for t in picture.iter("{http://www.w3.org/2000/svg}text")]
    text = " ".join(line for _y, line in lines)
    assert not ISO_DATE.search(text), ISO_DATE.search(text)
    if language != "en":
        assert not ENGLISH_DATE_WORDS.search(text), ENGLISH_DATE_WORDS.search(text)
    with translation.override(language):
        for day in (Appointment.objects.get().date, timezone.localdate(), dt.date(1990, 4, 12)):  # María José born
            assert date_format(day, "DATE_FORMAT") in text, day
    ys = [y for y, _line in lines]
    assert len(set(ys)) == len(ys) and min(b - a for a, b in zip(ys, ys[1:], strict=False)) >= 20  # no overlap
    [code] = picture.iter("{http://www.w3.org/2000/svg}g")
    qr_x, qr_y = (int(n) for n in re.findall(r"\d+", code.get("transform")))
    qr_size = int(next(iter(code)).get("width"))
    assert qr_y > max(ys) and qr_y + qr_size <= int(picture.get("height"))  # the whole code, under the text
    assert 0 <= qr_x and qr_x + qr_size <= int(picture.get("width"))
    assert (picture.get("direction") == "rtl") == (language == "ar")
