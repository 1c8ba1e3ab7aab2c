"""Every page of the page-budget list, in each of the eight languages, has no serious or critical
axe-core finding (a violation, or a check axe could not finish: "incomplete"), and fits 320 px."""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from allocation.runs import allocate_date
from allocation.synthetic import generate_households
from registrations.models import Member
from tests.browser.conftest import code_for
from tests.browser.helpers import add_person_row, choose_place_and_port, fill_person
from tests.browser.pages import SIGNED_IN_PATHS, public_paths

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(
    os.environ.get("AXE_CORE", Path(__file__).resolve().parents[2] / ".venv/node/node_modules/axe-core/axe.min.js")
)
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _check(page, label: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations', 'incomplete']})")
    problems = [
        f"{label}: {kind} {v['id']} ({v['impact']}): {v['help']} — {_where(v['nodes'])}"
        for kind in ("violations", "incomplete")
        for v in result[kind]
        if v["impact"] in {"serious", "critical"}
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        problems.append(f"{label}: {width} px wide at a 320 px screen (scrolls sideways)")
    return problems


def _where(nodes: list[dict]) -> str:
    """The first elements concerned, with axe's reason (for "incomplete": why it could not decide)."""
    return "; ".join(
        f"{node['target']} {' / '.join(check['message'] for check in node['any'] + node['all'] + node['none'])}"
        for node in nodes[:3]
    )


def _visit(page, url: str, language: str) -> None:
    page.goto(url)
    shown = page.evaluate("document.documentElement.lang")
    assert shown == language, f"{url} is in {shown!r}, not {language!r}: the language cookie was not honoured"


def _pages_in(browser, server: str, language: str, phone: str) -> list[str]:
    """Every page of the list in one language, as a person meets them: the public pages, then
    sign-in and registration (with their error states), then the household's own pages."""
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": server}])
    page = context.new_page()
    problems = []
    try:
        for path in public_paths():
            _visit(page, server + path, language)
            problems += _check(page, f"[{language}] {path}")
        _visit(page, server + "/signin", language)
        page.press("#id_address", "Enter")  # empty: the error summary
        page.wait_for_selector(".error-summary")
        problems += _check(page, f"[{language}] /signin with an error")
        page.fill("#id_address", phone)
        page.press("#id_address", "Enter")
        page.wait_for_url("**/signin/code")
        problems += _check(page, f"[{language}] /signin/code")
        page.fill("#id_code", code_for(phone))
        page.press("#id_code", "Enter")
        page.wait_for_url("**/recovery-codes")
        problems += _check(page, f"[{language}] /recovery-codes")
        page.click("main form button")
        page.wait_for_url("**/household/new")
        problems += _check(page, f"[{language}] /household/new")
        page.click("button[name=register]")  # empty: errors everywhere
        page.wait_for_selector(".error-summary")
        problems += _check(page, f"[{language}] /household/new with errors")
        choose_place_and_port(page)  # a family of its own per language: no duplicate people
        surname = f"Pérez {'ABCDEFGH'[LANGUAGES.index(language)]}"
        fill_person(page, 0, ("María José", surname, "1990-04-12", "F", "head"))
        add_person_row(page, 1)
        fill_person(page, 1, ("Ana", surname, "2012-01-20", "F", "child"))
        page.click("button[name=register]")
        page.wait_for_url("**/household/registered")
        problems += _check(page, f"[{language}] /household/registered")
        member = Member.objects.filter(household__applicant__isnull=False).order_by("-pk").first()
        for path in SIGNED_IN_PATHS:
            _visit(page, server + path.format(member=member.pk), language)
            problems += _check(page, f"[{language}] {path}")
    finally:
        context.close()
    return problems


def draws_to_show() -> None:
    """Real draw data, so /statistics has its charts' bars, numbers and labels and the draws page
    its rows (an empty page would hide what axe must check)."""
    generate_households(300, seed=19, days=60, members=True)
    today = timezone.localdate()
    for days_ago in (2, 1, 0):
        allocate_date(today - dt.timedelta(days=days_ago), seed=f"axe-{days_ago}")


def test_every_page_passes_axe_in_every_language_and_fits_320_px(server, browser, settings):
    assert AXE.exists(), f"axe-core is missing at {AXE}: scripts/bootstrap.sh installs it with npm"
    draws_to_show()
    settings.RATE_LIMITS_ENABLED = False  # eight sign-ins from one address in a minute
    # axe is injected as an inline script, which our Content-Security-Policy rightly forbids.
    problems = []
    for number, language in enumerate(LANGUAGES):
        problems += _pages_in(browser, server, language, f"+52868123450{number}")
    assert not problems, "\n".join(problems)
