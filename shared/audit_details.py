"""What an audit row says beyond its action, in the reader's language. A row keeps named values
(person 12, port "BRO", a typed reason), never sentences: the sentence is a translated template per
action, filled in when the log is read, so every staff member reads the log in their own language.

Rows written before the values existed kept English text in `detail`; LEGACY reads the known
shapes of that text back into values (the log itself is append-only and is never rewritten)."""

import re
from collections.abc import Callable

from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from shared.dates import local_date
from shared.models import AuditAction as A

# One template per action that has details (translated when read); its %(names)s are exactly the
# values record() takes.
DETAILS = {
    A.REVOKE_LETTER: gettext_noop("letter %(letter)s; reason: %(reason)s"),
    A.REQUEST_EXEMPTION_LETTER: gettext_noop("request %(request)s: %(case)s"),
    A.APPROVE_EXEMPTION_LETTER: gettext_noop("request %(request)s: %(case)s, letter %(letter)s; reason: %(reason)s"),
    A.DECLINE_EXEMPTION_LETTER: gettext_noop("request %(request)s: %(case)s; reason: %(reason)s"),
    A.CHECK_IN: gettext_noop("at %(port)s"),
    A.CHECK_IN_OVERRIDE: gettext_noop("at %(port)s, despite: %(problems)s; reason: %(reason)s"),
    A.CHANGE_PERSON: gettext_noop("person %(person)s"),
    A.REMOVE_PERSON: gettext_noop("person %(person)s"),
    A.MOVE_PERSON: gettext_noop("person %(person)s moved to %(to)s"),
    A.SHARE_HOUSEHOLD: gettext_noop("organisation: %(organisation)s"),
    A.STOP_SHARING: gettext_noop("organisation: %(organisation)s"),
    A.MOVE_SIGNIN: gettext_noop("checked with %(proof)s"),
    A.SIGNIN_FAILED: gettext_noop("wrong try number %(attempt)s"),
    A.ACCOUNT_LOCKED: gettext_noop("wrong tries: %(tries)s"),
    A.ACCOUNT_UNLOCKED: gettext_noop("account %(account)s"),
    A.CLOSE_PORT_DAY: gettext_noop("%(port)s on %(date)s; households rebooked: %(count)s"),
    A.VIEW_LETTER: gettext_noop("letter %(letter)s"),
    A.REVIEW_REUSE: gettext_noop("shared %(kind)s"),
}

WORDS = {
    "kind": {"contact_phone": _("phone number"), "contact_email": _("email address")},
    # The letters' cases (letters.models.Letter.Case, same words: staff sits below letters).
    "case": {
        "": _("Appointment"),
        "child": _("Child travelling alone"),
        "mexican": _("Mexican national"),
        "risk": _("Approved as at imminent risk"),
    },
    "proof": {"birth_date": _("the head of household's date of birth"), "slip_code": _("a code from the printed slip")},
    "problems": {
        "not_confirmed": _("not confirmed"),
        "other_port": _("booked at another port"),
        "too_early": _("too early"),
        "too_late": _("too late"),
    },
}


def _port(value: object) -> str:
    from shared.models import Port

    return Port.objects.filter(code=str(value)).values_list("name", flat=True).first() or str(value)


def _words(name: str) -> Callable[[object], str]:
    def word(value: object) -> str:
        items = value if isinstance(value, list) else [value]
        return ", ".join(str(WORDS[name].get(str(item), item)) for item in items)

    return word


# How a value is shown; a value not named here is shown as it was recorded (ids, codes, typed text).
SHOW: dict[str, Callable[[object], str]] = {
    "port": _port,
    "date": lambda value: local_date(str(value)),
    **dict.fromkeys(("count", "tries", "attempt"), lambda value: number_format(str(value))),
    **{name: _words(name) for name in WORDS},
}

PLACEHOLDER = re.compile(r"%\((\w+)\)s")

# The shapes the English `detail` text had before values (rows are never rewritten).
LEGACY = {
    A.REVOKE_LETTER: r"letter (?P<letter>\S+): (?P<reason>.*)",
    A.REQUEST_EXEMPTION_LETTER: r"request (?P<request>\d+): (?P<case>\w*)",
    A.APPROVE_EXEMPTION_LETTER: r"request (?P<request>\d+): (?P<case>\w*), letter (?P<letter>\S+): (?P<reason>.*)",
    A.DECLINE_EXEMPTION_LETTER: r"request (?P<request>\d+): (?P<case>\w*): (?P<reason>.*)",
    A.CHECK_IN: r"at (?P<port>\S+)",
    A.CHECK_IN_OVERRIDE: r"at (?P<port>\S+); overridden \((?P<problems>.*)\): (?P<reason>.*)",
    A.CHANGE_PERSON: r"person (?P<person>\d+)",
    A.REMOVE_PERSON: r"person (?P<person>\d+)",
    A.MOVE_PERSON: r"person (?P<person>\d+) moved to (?P<to>\S+)",
    A.SHARE_HOUSEHOLD: r"(?P<organisation>.+)",
    A.STOP_SHARING: r"(?P<organisation>.+)",
    A.SIGNIN_FAILED: r"try (?P<attempt>\d+)",
    A.ACCOUNT_LOCKED: r"(?P<tries>\d+) wrong tries",
    A.ACCOUNT_UNLOCKED: r"(?P<account>.+)",
    A.CLOSE_PORT_DAY: r"(?P<port>\S+) (?P<date>\d{4}-\d\d-\d\d): (?P<count>\d+) households rebooked",
    A.VIEW_LETTER: r"letter (?P<letter>\S+)",
    A.REVIEW_REUSE: r"(?P<kind>contact_phone|contact_email)",
}
LEGACY_PROOF = {"head of household's date of birth": "birth_date", "recovery code from the printed slip": "slip_code"}
LEGACY_PROBLEMS = {"The appointment is not confirmed": "not_confirmed", "This appointment is at": "other_port"}
LEGACY_PROBLEMS |= {"Too early": "too_early", "Too late": "too_late"}


def names(action: str) -> set[str]:
    """The values an action's row must carry (none for an action without details)."""
    template = DETAILS.get(A(action))
    return set(PLACEHOLDER.findall(template)) if template else set()


def check(action: str, values: dict[str, object]) -> None:
    """Refuse values that do not fill the action's template exactly (ValueError): every row can be read."""
    if set(values) != names(action):
        raise ValueError(f"{action!r} records {sorted(names(action))}, not {sorted(values)}")


def _legacy(action: str, detail: str) -> tuple[str, dict[str, object] | None]:
    """An old row's action and values read back from its English detail, or None when it has another shape."""
    if action == A.VIEW_HOUSEHOLD and detail == "check-in":
        return A.VIEW_AT_CHECK_IN, {}
    if action == A.MOVE_SIGNIN and detail.removeprefix("checked by ") in LEGACY_PROOF:
        return action, {"proof": LEGACY_PROOF[detail.removeprefix("checked by ")]}
    found = re.fullmatch(LEGACY.get(A(action), r"(?!)"), detail, re.DOTALL) if action in A.values else None
    if not found:
        return action, None
    values: dict[str, object] = found.groupdict()
    if "problems" in values:  # the officer's words then, named again where they were English
        said = str(values["problems"]).split("; ")
        values["problems"] = [next((c for p, c in LEGACY_PROBLEMS.items() if s.startswith(p)), s) for s in said]
    return action, values


def describe(action: str, values: dict[str, object] | None, detail: str = "") -> SafeString:
    """The action and its details as one line of HTML in the current language; each value is escaped
    and isolated (<bdi>), so a Latin name or a typed reason keeps its place in an Arabic sentence."""
    if values is None and detail:
        action, values = _legacy(action, detail)
    label = A(action).label if action in A.values else action
    if values is None:  # an old row whose text has no known shape: shown as recorded
        return format_html('{} (<bdi lang="en">{}</bdi>)', label, detail)
    template = DETAILS.get(A(action)) if action in A.values else None
    if not template or not values:
        return conditional_escape(label)
    shown = {
        name: format_html("<bdi>{}</bdi>", SHOW[name](value) if name in SHOW else value)
        for name, value in values.items()
    }
    try:
        text = conditional_escape(gettext(template)) % shown
    except (KeyError, ValueError):
        text = conditional_escape(str(values))
    return format_html("{} ({})", label, mark_safe(text))  # noqa: S308 (template and each value escaped above)
