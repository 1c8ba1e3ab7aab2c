"""The audit log reads in the operator's language: its details are named values shown through a
translated sentence per action, old English rows included, and nothing English is left on the page."""

import ast
import datetime as dt
import html
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from shared import audit_details
from shared.audit import record
from shared.models import AuditAction, AuditEntry

LANGUAGES = [code for code, _name in settings.LANGUAGES if code != "en"]
ROOT = Path(__file__).resolve().parents[2]

# One row of every action with details, as the code writes them (values nobody reads as English).
SAMPLES = {
    AuditAction.REVOKE_LETTER: {"letter": "X7K2", "reason": "Imprimée deux fois"},
    AuditAction.REQUEST_EXEMPTION_LETTER: {"request": 3, "case": "child"},
    AuditAction.APPROVE_EXEMPTION_LETTER: {"request": 3, "case": "mexican", "letter": "X7K3", "reason": "Acta vista"},
    AuditAction.DECLINE_EXEMPTION_LETTER: {"request": 4, "case": "risk", "reason": "Sin papeles"},
    AuditAction.CHECK_IN: {"port": "brownsville"},
    AuditAction.CHECK_IN_OVERRIDE: {"port": "brownsville", "problems": ["too_late", "not_confirmed"], "reason": "Bus"},
    AuditAction.CHANGE_PERSON: {"person": 12},
    AuditAction.REMOVE_PERSON: {"person": 13},
    AuditAction.MOVE_PERSON: {"person": 14, "to": "K7M2QX"},
    AuditAction.SHARE_HOUSEHOLD: {"organisation": "Casa del Migrante"},
    AuditAction.STOP_SHARING: {"organisation": "Casa del Migrante"},
    AuditAction.MOVE_SIGNIN: {"proof": "slip_code"},
    AuditAction.SIGNIN_FAILED: {"attempt": 2},
    AuditAction.ACCOUNT_LOCKED: {"tries": 5},
    AuditAction.ACCOUNT_UNLOCKED: {"account": "lucia"},
    AuditAction.CLOSE_PORT_DAY: {"port": "brownsville", "date": "2026-12-03", "count": 1204},
    AuditAction.VIEW_LETTER: {"letter": "X7K2"},
    AuditAction.REVIEW_REUSE: {"kind": "contact_email"},
}
# Rows written before values existed, with the English text the code wrote then.
OLD_ROWS = [
    (AuditAction.MOVE_PERSON, "person 21 moved to K7M2QX"),
    (AuditAction.CHECK_IN_OVERRIDE, "at brownsville; overridden (Too late: check-in closed at 09:40.): Bus"),
    (AuditAction.CLOSE_PORT_DAY, "brownsville 2026-12-03: 1204 households rebooked"),
    (AuditAction.MOVE_SIGNIN, "checked by head of household's date of birth"),
    (AuditAction.ACCOUNT_LOCKED, "5 wrong tries"),
    (AuditAction.VIEW_HOUSEHOLD, "check-in"),
    (AuditAction.REVIEW_REUSE, "contact_phone"),
]
ENGLISH = re.compile(
    r"\b(letter|reason|request|despite|person|moved|organisation|checked|wrong|number|tries|account|households?"
    r"|rebooked|shared|phone|email|address|child|mexican|risk|early|late|confirmed|another|slip|birth|code"
    r"|appointment|travelling|alone|national|imminent|check-in|contact_\w+|\w+_\w+)\b",
    re.IGNORECASE,
)


def _table(page: str) -> str:
    """The words of the log's rows, without markup."""
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _english_left(text: str, language: str) -> set[str]:
    """English words in the text that this language's own catalogue uses too (French says "organisation")."""
    with translation.override(language):
        own = [translation.gettext(t) for t in audit_details.DETAILS.values()]
        own += [str(word) for words in audit_details.WORDS.values() for word in words.values()]
        own += [str(label) for label in AuditAction.labels]
    allowed = {word.lower() for word in ENGLISH.findall(" ".join(own))}
    allowed |= {"brownsville", "lucia"}  # names, as recorded
    return {word for word in ENGLISH.findall(text) if word.lower() not in allowed} - {"Casa", "Migrante"}


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_audit_page_shows_every_detail_in_the_readers_language(olga, language):
    for action, values in SAMPLES.items():
        record(None, action, **values)
    for action, detail in OLD_ROWS:
        AuditEntry.objects.create(action=action, detail=detail)
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    text = _table(olga.get("/staff/audit").content.decode())
    assert _english_left(text, language) == set()
    assert text.count("K7M2QX") == 2 and "Casa del Migrante" in text and "X7K3" in text  # values kept


@pytest.mark.django_db
def test_details_name_values_the_way_the_reader_writes_them(olga):
    record(None, AuditAction.CLOSE_PORT_DAY, port="brownsville", date="2026-12-03", count=1204)
    record(None, AuditAction.CHECK_IN_OVERRIDE, port="brownsville", problems=["too_late"], reason="Bus")
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "ht"
    text = _table(olga.get("/staff/audit").content.decode())
    assert "3 desanm 2026" in text and "1 204" in text.replace("\xa0", " ").replace("\u202f", " ")
    assert "2026-12-03" not in text and "Brownsville, TX" in text  # the port's name, not its code
    olga.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = olga.get("/staff/audit").content.decode()
    assert "<bdi>Bus</bdi>" in page  # a typed reason keeps its own direction inside an Arabic sentence


@pytest.mark.django_db
def test_an_old_row_of_another_shape_is_shown_as_recorded(olga):
    AuditEntry.objects.create(action=AuditAction.CHECK_IN, detail="something else entirely")
    AuditEntry.objects.create(action="an action since renamed", detail="x")
    page = olga.get("/staff/audit").content.decode()
    assert '<bdi lang="en">something else entirely</bdi>' in page and "an action since renamed" in page


@pytest.mark.django_db
def test_a_row_must_carry_exactly_the_values_its_sentence_names():
    with pytest.raises(ValueError):
        record(None, AuditAction.MOVE_PERSON, person=3)  # where to?
    with pytest.raises(ValueError):
        record(None, AuditAction.VIEW_SECURITY, note="free text")
    assert not AuditEntry.objects.exists()


def test_every_place_that_writes_the_log_passes_the_values_its_action_names():
    """A static walk, so a rarely used path cannot fail only in production: record(…, AuditAction.X, …, k=v)."""
    calls = 0
    for path in ROOT.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts or "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("record", "audit")):
                continue
            actions = [
                a.attr
                for a in node.args
                if isinstance(a, ast.Attribute) and a.value.__dict__.get("id") == "AuditAction"
            ]
            if not actions:
                continue
            calls += 1
            given = {k.arg for k in node.keywords}
            assert given == audit_details.names(AuditAction[actions[0]]), f"{path}:{node.lineno}"
    assert calls >= 20


def test_every_action_template_fills_with_its_sample():
    assert set(SAMPLES) == set(audit_details.DETAILS)
    for action, values in SAMPLES.items():
        assert set(values) == audit_details.names(action)
    assert dt.date.fromisoformat(SAMPLES[AuditAction.CLOSE_PORT_DAY]["date"])
