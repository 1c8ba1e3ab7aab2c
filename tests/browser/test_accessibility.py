"""Every applicant page passes axe-core with no serious or critical violation, and fits 320 px."""

import os
from pathlib import Path

import pytest

from registrations.models import Member
from tests.browser.conftest import PASSWORDLESS_PHONE as PHONE
from tests.browser.conftest import code_for
from tests.browser.helpers import fill_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(
    os.environ.get("AXE_CORE", Path(__file__).resolve().parents[2] / ".venv/node/node_modules/axe-core/axe.min.js")
)


def _check(page, label: str) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    problems = [
        f"{label}: {v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 320:
        problems.append(f"{label}: {width} px wide at a 320 px screen (scrolls sideways)")
    return problems


def test_every_applicant_page_passes_axe_and_fits_320_px(server, browser):
    assert AXE.exists(), f"axe-core is missing at {AXE}: scripts/bootstrap.sh installs it with npm"
    # axe is injected as an inline script, which our Content-Security-Policy rightly forbids.
    context = browser.new_context(bypass_csp=True, viewport={"width": 320, "height": 640})
    page = context.new_page()
    problems = []
    try:
        for path in ("/", "/signin", "/signin/recover", "/offline"):
            page.goto(server + path)
            problems += _check(page, path)
        page.goto(server + "/signin")
        page.click("text=Send me a code")  # empty: the error summary
        page.wait_for_selector(".error-summary")
        problems += _check(page, "/signin with an error")
        page.fill("#id_address", PHONE)
        page.click("text=Send me a code")
        page.wait_for_url("**/signin/code")
        problems += _check(page, "/signin/code")
        page.fill("#id_code", code_for(PHONE))
        page.click("form >> button:has-text('Sign in')")
        page.wait_for_url("**/recovery-codes")
        problems += _check(page, "/recovery-codes")
        page.click("text=I have written them down")
        page.wait_for_url("**/household/new")
        problems += _check(page, "/household/new")
        page.click("button[name=register]")  # empty: errors everywhere
        page.wait_for_selector(".error-summary")
        problems += _check(page, "/household/new with errors")
        fill_household(page, 2)
        page.click("button[name=register]")
        page.wait_for_url("**/household/registered")
        problems += _check(page, "/household/registered")
        member = Member.objects.order_by("pk").first()
        for path in (
            "/household",
            "/household/members/add",
            f"/household/members/{member.pk}/change",
            "/household/details",
        ):
            page.goto(server + path)
            problems += _check(page, path)
    finally:
        context.close()
    assert problems == []
