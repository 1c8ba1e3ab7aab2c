"""Arabic (and every language) at 320 px in real Chromium: nothing is cut off or pushed off the
left edge, a select shows its whole choice, and the household reference stays on one line."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from registrations.models import Household, Place
from shared.models import Port
from tests.browser.conftest import sign_in
from tests.browser.helpers import fill_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Every element outside the screen that no scrolling box lets the reader reach, every table a reader
# would have to scroll sideways (in Arabic its first column hides off the left edge), and every
# select whose chosen text is wider than the select can show.
MEASURE = """() => {
  const width = document.documentElement.clientWidth, problems = [];
  const scrollable = el => { for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; } return false; };
  for (const el of document.querySelectorAll('main *, header *, footer *')) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el);
    if (!r.width || s.visibility === 'hidden' || el.closest('.visually-hidden') || scrollable(el)) continue;
    if (r.left < -1 || r.right > width + 1)
      problems.push(`${el.tagName.toLowerCase()}.${el.className} ${Math.round(r.left)}..${Math.round(r.right)}`);
  }
  for (const box of document.querySelectorAll('.table-scroll'))
    if (box.scrollWidth > box.clientWidth + 1) problems.push(`table: ${box.scrollWidth} px in ${box.clientWidth}`);
  const canvas = document.createElement('canvas').getContext('2d');
  for (const select of document.querySelectorAll('select')) {
    const s = getComputedStyle(select), option = select.options[select.selectedIndex];
    if (!option) continue;
    canvas.font = `${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
    const room = select.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight) - 20;
    const text = canvas.measureText(option.text).width;
    if (text > room) problems.push(`select#${select.id}: ${Math.round(room)} of ${Math.round(text)} px`);
  }
  return {problems, scrollWidth: document.documentElement.scrollWidth, width};
}"""


def assert_fits(page, label: str) -> None:
    result = page.evaluate(MEASURE)
    assert result["scrollWidth"] <= result["width"], f"{label}: {result['scrollWidth']} px wide"
    assert result["problems"] == [], f"{label}: {result['problems'][:5]}"


def reference_lines(page) -> float:
    """How many lines the household reference takes (its height over one line's height)."""
    return page.evaluate(
        "(() => { const r = document.querySelector('.reference'), s = getComputedStyle(r);"
        " const line = s.lineHeight === 'normal' ? 1.2 * parseFloat(s.fontSize) : parseFloat(s.lineHeight);"
        " return r.getBoundingClientRect().height / line; })()"
    )


def in_language(page, server: str, language: str) -> None:
    """Signed in (the helper follows the English words), then the page switched to this language."""
    sign_in(page, server)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": server}])
    page.goto(server + "/household/new")


@pytest.fixture
def arabic(browser, server):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    context.add_cookies([{"name": "django_language", "value": "ar", "url": server}])
    page = context.new_page()
    yield page
    context.close()


def test_public_pages_fit_320_px_in_arabic(server, arabic):
    for path in ("/", "/where", "/how-it-works", "/draws", "/statistics", "/signin", "/verify"):
        arabic.goto(server + path)
        assert arabic.get_attribute("html", "dir") == "rtl"
        assert_fits(arabic, path)


def test_the_household_pages_fit_320_px_in_arabic_with_the_longest_place_and_port(server, arabic):
    arabic.context.clear_cookies()
    in_language(arabic, server, "ar")
    place = max(Place.objects.all(), key=lambda p: len(str(p)))
    port = max(Port.objects.filter(accepts_requests=True), key=lambda p: len(p.name))
    arabic.select_option("#id_current_place", str(place.pk))
    arabic.check(f"input[name=preferred_port][value='{port.pk}']")
    fill_person(arabic, 0)
    assert_fits(arabic, f"/household/new with {place} and {port}")
    arabic.click("button[name=register]")
    arabic.wait_for_selector("button[name=far_port_confirmed]")  # San Cristóbal is far from every port
    assert_fits(arabic, "/household/new with the far-port warning")
    arabic.click("button[name=far_port_confirmed]")
    arabic.wait_for_url("**/household/registered")
    assert_fits(arabic, "/household/registered")
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    call_command("allocate", "--date", day, "--seed", "beacon", stdout=open("/dev/null", "w"))
    for path in ("/household", "/household/share", "/household/details"):
        arabic.goto(server + path)
        assert_fits(arabic, path)
    assert Household.objects.count() == 1


@pytest.mark.parametrize("language", ["en", "es", "ht", "fr", "pt", "ru", "zh-hans", "ar"])
def test_the_reference_stays_on_one_line_at_320_px(server, browser, language):
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    try:
        in_language(page, server, language)
        page.select_option("#id_current_place", str(Place.objects.get(name="Matamoros").pk))
        page.check(f"input[name=preferred_port][value='{Port.objects.get(code='brownsville').pk}']")
        fill_person(page, 0)
        page.click("button[name=register]")
        page.wait_for_url("**/household/registered")
        for path in ("/household/registered", "/household"):
            page.goto(server + path)
            assert reference_lines(page) < 1.5, f"{path} in {language}: the reference wraps"
    finally:
        context.close()
