"""Right to left: names, places, references and phone numbers inside a translated sentence are
isolated, so an Arabic sentence keeps its punctuation; the confirm deadline names its time zone."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone, translation
from django.utils.formats import date_format

from allocation import appointments
from allocation.models import Appointment
from tests.conftest import FAMILY, household_post

BLOCK = re.compile(r"{%\s*blocktranslate\s+with\s+(.*?)%}", re.S)
VALUE_FROM_PEOPLE = re.compile(r"(name|full_name|reference|address|city|place|port)$")


@pytest.mark.parametrize(
    "template", sorted((Path(settings.BASE_DIR) / "templates").rglob("*.html")), ids=lambda p: p.name
)
def test_every_name_or_number_put_into_a_sentence_is_isolated(template):
    unisolated = []
    for bound in BLOCK.findall(template.read_text(encoding="utf-8")):
        for key, expression in re.findall(r"(\w+)=(\S+)", bound):
            value = expression.split("|")[0]
            if VALUE_FROM_PEOPLE.search(value) and "|isolate" not in expression:
                unisolated.append(f"{key}={expression}")
    assert unisolated == [], f"{template.name}: wrap these in |isolate (load bidi): {unisolated}"


PYTHON_VALUE_FROM_PEOPLE = re.compile(r'"\w+": ([a-z_]+(?:\.[a-z_]+)*\.(?:name|state_name|full_name|city))\b')
PAGE_APPS = ("allocation", "letters", "registrations", "staff", "transparency", "shared", "config")


def test_every_name_put_into_a_sentence_in_python_is_isolated():
    """The same rule for messages built in Python (form errors, check-in refusals): isolate(value).
    Text messages (notifications) are left out: isolates would cost a plain SMS its 160 characters."""
    found = []
    for app in PAGE_APPS:
        for path in (Path(settings.BASE_DIR) / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found += [f"{path.name}: {m}" for m in PYTHON_VALUE_FROM_PEOPLE.findall(path.read_text())]
    assert found == [], f"wrap these in isolate() (shared.pages): {found}"


@pytest.mark.django_db
def test_the_confirm_deadline_is_in_the_ports_time_and_says_so(maria, matamoros, brownsville):
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    call_command("allocate", "--date", day, "--seed", "beacon", stdout=open("/dev/null", "w"))
    deadline = timezone.localtime(appointments.confirm_deadline(Appointment.objects.get()), brownsville.zone)
    for language, words in [("en", "(<bdi>{port}</bdi> time)"), ("ar", "(بتوقيت <bdi>{port}</bdi>)")]:
        maria.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        page = maria.get("/household").content.decode()
        with translation.override(language):
            shown = date_format(deadline, "DATETIME_FORMAT")
        assert f"{shown} {words.format(port=brownsville.name)}" in page


@pytest.mark.django_db
def test_a_message_after_sharing_isolates_the_organisation(maria, matamoros, brownsville, casa_del_migrante):
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    page = maria.post("/household/share", {"organisation": casa_del_migrante.pk}, follow=True).content.decode()
    assert "\u2068Casa del Migrante\u2069" in page


@pytest.mark.django_db
def test_the_code_page_isolates_the_phone_number(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = client.post("/signin", {"address": "+528681234567"}, follow=True).content.decode()
    assert re.search(r"<bdi>[^<]*4567</bdi>", page)
