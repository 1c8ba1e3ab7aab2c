"""The offline snippet in docs/letters.md, run as written, against real letters and the published list."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from letters import validity
from tests.letters.test_verify import end_by

DOC = Path(__file__).resolve().parents[2] / "docs" / "letters.md"


@pytest.fixture
def snippet() -> dict:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace


def offline(snippet, client, code: str, now: dt.datetime | None = None):
    now = now or timezone.now()
    keys = client.get("/letters/keys?format=json").json()["keys"]
    revoked = snippet["read_revoked"](client.get("/letters/revoked").content.decode(), keys, now)
    return snippet["check"](code, keys, revoked, now)


@pytest.mark.django_db
def test_the_snippet_says_valid_for_a_good_letter(snippet, client, letter, appointment):
    answer = offline(snippet, client, letter.signed)
    assert answer[0] == "VALID" and answer[1]["reference"] == appointment.household.reference
    assert answer[1]["people"] == "3"


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["cancelled", "rescheduled", "expired", "missed", "used", "revoked"])
def test_the_snippet_with_the_published_list_says_no_longer_valid(kind, snippet, client, letter, appointment, olga):
    end_by(kind, letter, appointment, get_user_model().objects.get(username="olga"))
    answer = offline(snippet, client, letter.signed)
    online = client.get("/verify", {"code": letter.signed, "format": "json"}).json()
    assert answer == ("NO LONGER VALID", kind, online["since"])


@pytest.mark.django_db
def test_the_snippet_refuses_after_the_period_and_any_changed_character(snippet, client, letter, appointment):
    until = appointment.window_end + dt.timedelta(minutes=appointment.port.grace_minutes)
    keys = client.get("/letters/keys?format=json").json()["keys"]
    list_then = snippet["read_revoked"](validity.revocation_list(now=until), keys, until)
    assert snippet["check"](letter.signed, keys, list_then, until)[:2] == ("NO LONGER VALID", "period_over")
    code = letter.signed
    for position, char in enumerate(code):
        changed = code[:position] + ("B" if char == "A" else "A") + code[position + 1 :]
        assert snippet["check"](changed, keys, {}, timezone.now()) == ("NOT VALID",), position
    last = code[:-1] + ("B" if code[-1] != "B" else "C")
    assert snippet["check"](last, keys, {}, timezone.now()) == ("NOT VALID",)


@pytest.mark.django_db
def test_the_published_list_is_signed_dated_and_small(snippet, client, letter, appointment):
    keys = client.get("/letters/keys?format=json").json()["keys"]
    text = client.get("/letters/revoked").content.decode()
    assert text.startswith(validity.LIST_HEADER + "|")
    with pytest.raises(ValueError):
        snippet["read_revoked"](text.replace("CITA-REVOKED1", "CITA-REVOKED2"), keys, timezone.now())
    with pytest.raises(ValueError):
        snippet["read_revoked"](text, keys, timezone.now() + dt.timedelta(days=3))
    end_by("cancelled", letter, appointment, None)
    assert letter.serial in client.get("/letters/revoked").content.decode()
    # Once its period is over the letter leaves the list: its own date already refuses it.
    later = appointment.window_end + dt.timedelta(days=1)
    assert letter.serial not in validity.revocation_list(now=later)
