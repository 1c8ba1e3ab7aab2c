"""Every URL the app answers, walked with hostile values by every kind of visitor: never a 500.

The URL list comes from the resolver itself, so a page added tomorrow is walked too. Each page is
opened once with good values to read the names of its form fields from the HTML; then every path
argument, query parameter and form field gets each hostile value in turn (huge, empty, digits
that are not ASCII, NUL, impossible dates, overlong keys, other people's ids), as an anonymous
visitor, an applicant, an NGO worker and an operator, with and without htmx.
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from allocation.models import AllocationPolicy, AllocationRun
from registrations.models import Household, Member, VulnerabilityRequest
from staff.models import HelpTicket, Notice
from tests.conftest import FAMILY, household_post

NAME = re.compile(r'name="([^"]+)"')
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
# Not walked with POST: they end the session the walk needs (each is tested on its own page).
SIGN_OUT = {"signout", "staff_logout"}


def url_patterns(patterns=None, prefix: str = ""):
    """(route, name) for every pattern, includes resolved, the admin's too."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from url_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route.lstrip("^").rstrip("$").replace("\\Z", ""), pattern.name


def hostile_values(others: list[str]) -> list[str]:
    """Refusable values first: a value a form accepts changes the state the next ones meet."""
    return [
        "a" * 65,
        "x" * 70_000,
        "²",
        "١٢٣",  # Arabic-Indic digits: isdigit() is true and int() takes them; a database does not
        "\x00",
        "2026-13-45",
        "9" * 40,
        "-1",
        "\u202e<script>alert(1)</script>",
        *others,
        "",
    ]


@pytest.fixture
def world(maria, other_client, rosa, pablo, olga, matamoros, brownsville):
    """Two applicant households, an NGO household, a ticket, a notice, a request and a draw."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    other_client.post(
        "/household/new", household_post([("Jean", "Baptiste", "1985-02-03", "M", "head")], matamoros, brownsville)
    )
    rosa.post("/staff/households/new", household_post(FAMILY[2:4], matamoros, brownsville, key="casa"))
    pablo.post("/staff/tickets", {"category": HelpTicket.Category.choices[0][0], "description": "x", "language": "es"})
    olga.post("/staff/notices/new", {"title": "t", "body": "b", "takes_effect_on": "2030-01-01", "affects": "all"})
    theirs = Household.objects.exclude(applicant=None).order_by("pk").last()
    VulnerabilityRequest.objects.create(household=theirs, category="medical", urgency=1, description="x")
    AllocationRun.objects.create(
        date=dt.date(2026, 12, 3),
        policy=AllocationPolicy.objects.first(),
        seed_commitment="c" * 64,
        status=AllocationRun.Status.COMPLETED,
    )
    references = list(Household.objects.values_list("reference", flat=True))
    ids = [
        *Member.objects.values_list("pk", flat=True),
        *HelpTicket.objects.values_list("pk", flat=True),
        *Notice.objects.values_list("pk", flat=True),
        *VulnerabilityRequest.objects.values_list("pk", flat=True),
    ]
    return {"references": references, "ids": [str(i) for i in ids], "date": "2026-12-03"}


def good_arguments(converter: str | None, name: str, world: dict) -> list[str]:
    if converter in ("int", "path") or name in ("pk", "object_id"):
        return world["ids"][:4] + ["1"]
    if name == "reference":
        return world["references"]
    if name == "date":
        return [world["date"]]
    if name == "language":
        return ["es"]
    return ["1", "auth", "user"]


def hostile_arguments(converter: str | None, values: list[str]) -> list[str]:
    if converter == "int":
        return ["0", "9" * 40, "2147483648", "9223372036854775808"]
    return [v for v in values if v and len(v) < 5000] + ["x" * 3000]


def fill(route: str, arguments: dict[str, str]) -> str:
    return "/" + ARGUMENT.sub(lambda m: arguments[m.group(2)], route)


def paths(route: str, world: dict, values: list[str]) -> tuple[list[str], list[str]]:
    """Paths with good arguments (to read the page's fields), and with each argument made hostile."""
    found = ARGUMENT.findall(route)
    good = {name: good_arguments(converter, name, world) for converter, name in found}
    good_paths = []
    for i in range(max((len(v) for v in good.values()), default=1)):
        good_paths.append(fill(route, {name: options[i % len(options)] for name, options in good.items()}))
    bad_paths = []
    for converter, name in found:
        for value in hostile_arguments(converter, values):
            bad_paths.append(fill(route, {**{n: o[0] for n, o in good.items()}, name: value}))
    return good_paths, bad_paths


def check(response, what: str) -> None:
    assert response.status_code < 500, f"{response.status_code} on {what}"


def walk(visitor, who: str, route: str, name: str, world: dict, values: list[str]) -> None:
    """Read the page's fields with good values, then send each hostile value everywhere."""
    admin = route.startswith("operator/")  # Django's admin: walked by GET only, with fewer values
    if admin:
        values = values[2:6]
    good_paths, bad_paths = paths(route, world, values)
    names = {"q", "next", "format", "page", "kind", "index", "code", "o", "p"}
    for path in good_paths:
        response = visitor.get(path)
        check(response, f"GET {path} as {who}")
        if response.get("Content-Type", "").startswith("text/html"):
            names |= set(NAME.findall(response.content.decode()))
    names.discard("csrfmiddlewaretoken")
    for path in bad_paths:
        check(visitor.get(path), f"GET {path!r:.200} as {who}")
    path = good_paths[0]
    if admin and who == "anonymous":
        return  # every admin page is the same login wall for them
    for n, value in enumerate(values):
        query = {field: value.replace("\x00", "%00")[:3000] for field in names}
        check(visitor.get(path, query), f"GET {path} ?{value!r:.40} as {who}")
        if name in SIGN_OUT or admin:
            continue
        headers = {"HTTP_HX_REQUEST": "true"} if n % 2 else {}
        response = visitor.post(path, {field: value for field in names}, **headers)
        check(response, f"POST {path} {value!r:.40} as {who}")


@pytest.mark.django_db
def test_no_url_answers_500_to_hostile_values(world, maria, rosa, olga, settings):
    settings.RATE_LIMITS_ENABLED = False  # a 429 would hide what comes after it
    values = hostile_values([*world["ids"][-2:], world["references"][-1]])
    visitors = {"anonymous": Client(), "applicant": maria, "ngo": rosa, "operator": olga}
    routes = list(url_patterns())
    assert len(routes) > 40
    for who, visitor in visitors.items():
        for route, name in routes:
            if route.startswith("operator/") and who not in ("anonymous", "operator"):
                continue  # the admin is for operators; anyone else meets its login wall (walked as anonymous)
            walk(visitor, who, route, name, world, values)
