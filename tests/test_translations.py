"""Every language complete: no untranslated or fuzzy entry, no template text left unmarked."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]


def entries(po_file: Path) -> list[tuple[str, list[str], bool]]:
    """(msgid, its msgstr texts, fuzzy) for each entry, read without a gettext library."""
    found = []
    for block in po_file.read_text(encoding="utf-8").split("\n\n"):
        fuzzy, parts, current = False, {}, None
        for line in block.splitlines():
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            elif line.startswith(("msgid ", "msgid_plural ", "msgstr")):
                current, _space, rest = line.partition(" ")
                parts[current] = rest.strip()[1:-1]
            elif line.startswith('"') and current:
                parts[current] += line.strip()[1:-1]
        if parts.get("msgid"):
            found.append((parts["msgid"], [v for k, v in parts.items() if k.startswith("msgstr")], fuzzy))
    return found


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> Path:
    """The committed catalogues merged with every message in the code now (makemessages run in a
    scratch copy of the project), so a new string that nobody translated yet is caught too."""
    scratch = tmp_path_factory.mktemp("project")
    skip = shutil.ignore_patterns(".venv", "staticfiles", "node_modules", ".git", "tests", "*.sqlite3*", "*.mo")
    shutil.copytree(ROOT, scratch, ignore=skip, dirs_exist_ok=True)
    command = [sys.executable, "manage.py", "makemessages", "-a", "-v", "0"]
    subprocess.run(command, cwd=scratch, env={**os.environ, "LOCALE_DIR": str(scratch / "locale")}, check=True)
    return scratch / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_catalogue_is_complete(language, fresh_catalogues):
    po_file = fresh_catalogues / to_locale(language) / "LC_MESSAGES" / "django.po"
    assert po_file.exists(), f"run makemessages for {language}"
    problems = [msgid for msgid, msgstrs, fuzzy in entries(po_file) if fuzzy or not all(msgstrs)]
    assert problems == [], f"{len(problems)} untranslated or fuzzy in {language}: {problems[:5]}"


TAG_OR_VARIABLE = re.compile(r"{%.*?%}|{{.*?}}|{#.*?#}|<[^>]*>", re.S)
MARKED_BLOCK = re.compile(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", re.S)
NON_TEXT = re.compile(r"<(script|style|svg|code|pre)\b.*?</\1>", re.S)
ALLOWED_WORDS = {"Cita"}


@pytest.mark.parametrize(
    "template", sorted((ROOT / "templates").rglob("*.html")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_no_template_text_is_left_untranslated(template):
    source = template.read_text(encoding="utf-8")
    source = MARKED_BLOCK.sub(" ", source)
    source = NON_TEXT.sub(" ", source)
    text = TAG_OR_VARIABLE.sub(" ", source)
    words = [w for w in re.findall(r"[^\W\d_]{2,}", text) if w not in ALLOWED_WORDS]
    assert words == [], f"text not marked for translation in {template.name}: {words[:10]}"
