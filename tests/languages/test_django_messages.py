"""Django's own messages (forms, formsets, validators, dates, sign-in, the admin) in Haitian Creole,
which Django does not ship; and our own message, not Django's, where a form refuses something."""

import re
from pathlib import Path

import django
import django_otp
import pytest
from django.conf import global_settings, settings

from tests.conftest import FAMILY, household_post

DJANGO = Path(django.__file__).parent
CATALOGUES = [
    DJANGO / "conf/locale/fr/LC_MESSAGES/django.po",
    *(
        DJANGO / f"contrib/{app}/locale/fr/LC_MESSAGES/django.po"
        for app in ("auth", "admin", "contenttypes", "sessions")
    ),
    Path(django_otp.__file__).parent / "locale/fr/LC_MESSAGES/django.po",
]
LANGUAGE_NAMES = {name for _code, name in global_settings.LANGUAGES}


def messages(po_file: Path) -> dict[tuple[str, str], list[str]]:
    """{(context, msgid): msgstrs} read without a gettext library."""
    found = {}
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        parts, current = {}, None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                current = match[1]
                parts[current] = match[2]
            elif line.startswith('"') and current:
                parts[current] += line[1:-1]
        if parts.get("msgid"):
            key = (parts.get("msgctxt", ""), parts["msgid"])
            found[key] = [v for k, v in parts.items() if k.startswith("msgstr")]
    return found


def test_every_django_message_a_person_can_meet_has_a_haitian_creole_translation():
    ours = messages(Path(settings.BASE_DIR) / "locale_django/ht/LC_MESSAGES/django.po")
    needed = {key for po in CATALOGUES for key in messages(po) if key[1] not in LANGUAGE_NAMES}
    missing = sorted(key[1] for key in needed if not all(ours.get(key) or [""]))
    assert missing == [], f"{len(missing)} Django messages without Creole: {missing[:5]}"


@pytest.mark.django_db
def test_the_admin_speaks_creole(olga):
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "ht"
    page = olga.get("/operator/").content.decode()
    assert "Administrasyon sit la" in page and "Site administration" not in page


def test_every_message_of_the_admins_calendar_and_clock_has_creole():
    """The admin's JavaScript (date and time pickers, selection boxes) has its own catalogue."""
    ours = messages(Path(settings.BASE_DIR) / "locale_django/ht/LC_MESSAGES/djangojs.po")
    needed = messages(DJANGO / "contrib/admin/locale/fr/LC_MESSAGES/djangojs.po")
    assert sorted(key[1] for key in needed if not all(ours.get(key) or [""])) == []


@pytest.mark.django_db
def test_the_admin_calendar_speaks_creole(olga):
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "ht"
    catalogue = olga.get("/operator/jsi18n/").content.decode()
    assert '"Jodi a"' in catalogue and '"Desanm"' in catalogue and '"Chwazi yon dat"' in catalogue


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "A household can have at most 20 people. Register anyone else as another household."),
        ("ht", "Yon fanmi ka gen 20 moun pou pi plis."),
        ("es", "Un grupo familiar puede tener como máximo 20 personas."),
    ],
)
def test_a_21st_person_gets_the_household_limit_in_the_readers_language(
    language, expected, maria, matamoros, brownsville
):
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    people = [(f"Persona {chr(65 + i)}", "Pérez", f"20{i % 10:02d}-01-0{1 + i % 9}", "F", "child") for i in range(21)]
    response = maria.post("/household/new", household_post([FAMILY[0], *people[:20]], matamoros, brownsville))
    page = response.content.decode()
    assert response.status_code == 400
    assert expected in page and "Please submit" not in page and "Voye pa plis" not in page


@pytest.mark.django_db
def test_a_form_sent_without_its_management_fields_is_explained_in_creole(maria, matamoros, brownsville):
    maria.cookies[settings.LANGUAGE_COOKIE_NAME] = "ht"
    data = household_post(FAMILY[:1], matamoros, brownsville)
    del data["members-TOTAL_FORMS"]
    page = maria.post("/household/new", data).content.decode()
    assert "ManagementForm" not in page and "Yon pati nan fòmilè a pa rive" in page
