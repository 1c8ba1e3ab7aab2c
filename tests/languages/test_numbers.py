"""Numbers grouped the reader's way where people read them, and left plain where a machine reads
them (form values, SVG coordinates), in every language."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from allocation.synthetic import generate_households
from registrations.models import Organisation
from tests.conftest import FAMILY, household_post


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "limit"),
    [("es", "1\xa0000"), ("fr", "1\xa0000"), ("ht", "1\xa0000"), ("pt", "1.000"), ("en", "1,000")],
)
def test_the_needs_limit_is_written_with_the_readers_grouping(language, limit, maria, matamoros, brownsville):
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    data = household_post(FAMILY[:1], matamoros, brownsville, **{"members-0-needs": "x" * 1001})
    page = maria.post("/household/new", data).content.decode()
    page = page.replace("&nbsp;", "\xa0")
    assert f" {limit} " in page
    assert language == "en" or "1,000" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr", "ru", "ar"])
def test_organisation_choices_keep_plain_ids_when_numbers_are_grouped(language, maria, matamoros, brownsville):
    for i in range(1, 1200):
        Organisation.objects.create(name=f"NGO {i:04d}")
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    maria.post("/household/new", household_post(FAMILY[:1], matamoros, brownsville))
    page = maria.get("/household/share").content.decode()
    values = re.findall(r'name="organisation" value="([^"]*)"', page)
    assert values and all(value.isdigit() for value in values)
    chosen = Organisation.objects.get(name="NGO 1100")
    assert maria.post("/household/share", {"organisation": str(chosen.pk)}).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["es", "fr", "pt", "ru"])
def test_the_statistics_chart_has_coordinates_a_browser_can_read(language, client):
    generate_households(50, seed=3, days=20)
    day = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    call_command("allocate", "--date", day, "--seed", "beacon", stdout=open("/dev/null", "w"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = client.get("/statistics").content.decode()
    numbers = re.findall(r'\b(?:x|y|width|height)="([^"]*)"', page)
    assert len(numbers) > 8
    for value in numbers:
        float(value)
    viewboxes = re.findall(r'viewBox="([^"]*)"', page)
    assert all(float(part) >= 0 for box in viewboxes for part in box.split())
