"""No English on staff pages in any language, as a class: every staff page is read in English and in
Chinese and Arabic, where any Latin text shown in both is either data (names, places, ports,
references, what someone typed) or English that was never translated (an untranslated label, a
choice's code, a detail written in English)."""

import datetime as dt
import html
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from letters.models import ExemptionRequest
from registrations.models import Household, Member, Organisation, Place, VulnerabilityRequest
from shared.audit import record
from shared.models import AuditAction, Port
from staff.models import HelpTicket, Notice
from tests.conftest import FAMILY, household_post

HIDDEN = re.compile(r"<(script|style|code|pre|svg|head)\b.*?</\1>", re.S)
CHILD = ("Niño", "Solo", "2012-05-05", "M", "head")
TYPED = [
    "No llega el código",
    "Cambio de horario",
    "Desde el lunes",
    "Todas las ONG",
    "Bus averiado",
    "Insulina",
    "Español",
]


def latin_texts(page: str) -> set[str]:
    """What a reader sees that has Latin words in it: text between tags, and labels in attributes."""
    page = re.sub(r'<nav class="languages".*?</nav>', " ", HIDDEN.sub(" ", page), flags=re.S)
    found = {html.unescape(t).strip() for t in re.split(r"<[^>]+>", page)}
    found |= {html.unescape(a) for a in re.findall(r'(?:placeholder|title|aria-label|alt)="([^"]*)"', page)}
    return {t for t in found if re.search(r"[A-Za-z]{3}", t)}


def data() -> set[str]:
    """Everything on the pages that is data, the same in every language."""
    words = {"Cita", *(name for _code, name in settings.LANGUAGES), *TYPED}
    words |= {p.name for p in Port.objects.all()} | {p.name for p in Place.objects.all()}
    words |= {f"{p.name}, {p.state_name}" for p in Place.objects.all()}
    words |= {h.reference for h in Household.objects.all()} | {m.full_name for m in Member.objects.all()}
    words |= {o.name for o in Organisation.objects.all()} | {f"({o.name})" for o in Organisation.objects.all()}
    return words | {"olga", "rosa"}


@pytest.fixture
def busy_day(maria, rosa, olga, matamoros, brownsville, casa_del_migrante) -> dict[str, str]:
    """A day with something in every queue: households, a draw, tickets, a notice, requests, letters."""
    needs = {"members-0-needs": TYPED[5], "members-0-languages": "Español"}
    rosa.post("/staff/households/new", household_post(FAMILY[:3], matamoros, brownsville, key="k1", **needs))
    rosa.post("/staff/households/new", household_post([CHILD], matamoros, brownsville, key="k2"))
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    day = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    call_command("allocate", "--date", day, "--seed", "beacon", stdout=open("/dev/null", "w"))
    family, child = Household.objects.order_by("pk")[:2]
    rosa.post("/staff/tickets", {"category": "signin", "description": TYPED[0], "language": "es"})
    olga.post("/staff/notices/new", {"title": TYPED[1], "body": TYPED[2], "affects": TYPED[3], "takes_effect_on": day})
    rosa.post(f"/staff/households/{child.reference}/exemption", {"case": "child"})
    rosa.post(
        f"/staff/households/{family.reference}/vulnerability",
        {"category": "medical", "urgency": "1", "description": TYPED[5]},
    )
    record(None, AuditAction.CLOSE_PORT_DAY, port="brownsville", date=day, count=3)
    record(None, AuditAction.CHECK_IN_OVERRIDE, family, port="brownsville", problems=["too_late"], reason=TYPED[4])
    assert ExemptionRequest.objects.exists() and VulnerabilityRequest.objects.exists() and Notice.objects.exists()
    member = Member.objects.filter(household=family).first()
    ticket, notice = HelpTicket.objects.first(), Notice.objects.first()
    return {
        "family": family.reference,
        "member": str(member.pk),
        "ticket": str(ticket.pk if ticket else 0),
        "notice": str(notice.pk if notice else 0),
    }


STAFF_PAGES = [
    "/staff/",
    "/staff/households/new",
    "/staff/households/{family}",
    "/staff/households/{family}/slip",
    "/staff/households/{family}/members/new",
    "/staff/households/{family}/members/{member}",
    "/staff/households/{family}/sign-in",
    "/staff/households/{family}/vulnerability",
    "/staff/households/{family}/exemption",
    "/staff/households/{family}/letters",
    "/staff/tickets",
    "/staff/tickets/{ticket}",
    "/staff/notices/new",
    "/staff/notices/{notice}",
    "/staff/review/vulnerability",
    "/staff/review/exemptions",
    "/staff/review/reuse",
    "/staff/audit",
    "/staff/security",
    "/staff/check-in",
    "/staff/members/{member}/move",
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "ar"])
def test_no_staff_page_shows_english_beside_the_readers_language(language, busy_day, rosa, olga):
    english = []
    opened = 0
    for who, client in (("operator", olga), ("NGO", rosa)):
        for pattern in STAFF_PAGES:
            url = pattern.format(**busy_day)
            pages = {}
            for reading in ("en", language):
                client.cookies[settings.LANGUAGE_COOKIE_NAME] = reading
                response = client.get(url)
                pages[reading] = response.content.decode() if response.status_code == 200 else ""
            if not pages["en"]:
                continue  # not this role's page
            opened += 1
            same = latin_texts(pages["en"]) & latin_texts(pages[language]) - data()
            english += [f"{who} {url}: {text!r}" for text in sorted(same)]
    assert opened >= 25
    assert english == [], "English left on staff pages:\n" + "\n".join(english)


def test_the_guard_sees_english_when_there_is_some():
    """The comparison itself: an English label left in a Chinese page is found, a name is not."""
    en = "<p>Reason</p><p>María José</p>"
    zh = "<p>理由</p><p>María José</p><p>Reason</p>"
    assert latin_texts(en) & latin_texts(zh) == {"Reason", "María José"}
