"""Who may open which URL: every route is listed here with its audience, and each audience is
checked for every visitor (anonymous, applicant, NGO staff of another organisation, operator).
A new route without an entry here fails the first test."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from letters.issue import sign_exemption_letter
from letters.models import ExemptionRequest
from registrations.models import Household, Member, VulnerabilityRequest
from staff.models import HelpTicket, Notice
from tests.conftest import FAMILY, household_post

PUBLIC = {
    "home",
    "healthz",
    "security_txt",
    "change_language",
    "service_worker",
    "manifest",
    "pwa_icon",
    "offline",
    "signin",
    "signin_code",
    "signin_resend",
    "recover",
    "signout",
    "where",
    "how_it_works",
    "draws",
    "draw",
    "draw_record",
    "verify_draw",
    "statistics",
    "statistics_csv",
    "verify_letter",
    "letter_keys",
    "letters_revoked",
    "port_warning",
    "staff_login",
    "staff_logout",
}
APPLICANT = {
    "recovery_codes",
    "move_account",
    "move_account_code",
    "signout_elsewhere",
    "household",
    "household_new",
    "household_registered",
    "details_change",
    "appointment_confirm",
    "appointment_cancel",
    "member_add",
    "member_change",
    "member_remove",
    "household_letter",
    "vulnerability_request",
    "share_household",
    "share_stop",
}
# Called by the SMS gateway only: a shared secret (or a per-message signature) and an allowed address.
GATEWAY = {"kannel_delivery_report", "kannel_incoming_text"}
STAFF_HOUSEHOLD = {
    "staff_household",
    "staff_slip",
    "staff_vulnerability_new",
    "staff_exemption",
    "staff_member_add",
    "staff_member_change",
    "staff_member_remove",
    "staff_household_letters",
    "staff_letter",
    "staff_signin_move",
}
STAFF = {"staff_home", "staff_household_new", "staff_tickets", "staff_ticket", "staff_notice", "staff_notice_comment"}
OPERATOR = {
    "staff_notice_new",
    "staff_vulnerability_queue",
    "staff_vulnerability_decide",
    "staff_reuse_queue",
    "staff_member_move",
    "staff_audit_log",
    "staff_check_in",
    "staff_letter_revoke",
    "staff_exemption_queue",
    "staff_exemption_decide",
    "staff_security",
    "staff_unlock",
}


def routes() -> dict[str, str]:
    found = {}

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                if not str(p.pattern).startswith("operator/"):  # Django admin: OTP-guarded, tested apart
                    walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found[p.name] = "/" + prefix + str(p.pattern)

    walk(get_resolver().url_patterns)
    return found


def test_every_route_has_a_declared_audience():
    assert set(routes()) == PUBLIC | APPLICANT | GATEWAY | STAFF_HOUSEHOLD | STAFF | OPERATOR


@pytest.fixture
def world(maria, rosa, matamoros, brownsville):
    """Maria's household (applicant), Rosa's NGO household, a ticket and a notice."""
    maria.post("/household/new", household_post(FAMILY[:2], matamoros, brownsville))
    rosa.post(
        "/staff/households/new",
        household_post([("Rosa", "Gómez", "1970-03-03", "F", "head")], matamoros, brownsville, key="r"),
    )
    rosa.post("/staff/tickets", {"category": "other", "description": "x", "language": "es"})
    casa = Household.objects.exclude(applicant__address_index__isnull=False).get()

    Notice.objects.create(
        title="t",
        body="b",
        takes_effect_on="2099-01-01",
        affects="all",
        author=get_user_model().objects.get(username="rosa"),
    )
    request = VulnerabilityRequest.objects.create(household=casa, category="medical", urgency=1, description="x")
    letter = sign_exemption_letter(casa, "mexican", None)
    asked = ExemptionRequest.objects.create(household=casa, case="risk", requested_by=Notice.objects.get().author)
    return {
        "letter": letter.pk,
        "exemption": asked.pk,
        "reference": casa.reference,
        "pk": Member.objects.filter(household=casa).get().pk,
        "request": request.pk,
        "ticket": HelpTicket.objects.get().pk,
        "notice": Notice.objects.get().pk,
        "user": get_user_model().objects.order_by("pk").first().pk,
    }


def url_for(route: str, world: dict, kind: str) -> str:
    pk = {
        "staff_ticket": world["ticket"],
        "staff_notice": world["notice"],
        "staff_notice_comment": world["notice"],
        "staff_vulnerability_decide": world["request"],
        "staff_letter": world["letter"],
        "staff_letter_revoke": world["letter"],
        "staff_exemption_decide": world["exemption"],
        "staff_unlock": world["user"],
    }
    return (
        route.replace("<str:reference>", world["reference"]).replace("<int:pk>", str(world["pk"]))
        if kind not in pk
        else route.replace("<int:pk>", str(pk[kind]))
    ).replace("<str:language>", "es")


def visit(client: Client, url: str):
    """GET the page, or POST to it when it only takes a form."""
    response = client.get(url)
    return client.post(url, {}) if response.status_code == 405 else response


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_the_right_sign_in(world):
    client = Client()
    for name, route in routes().items():
        response = visit(client, url_for(route, world, name))
        if name in APPLICANT:
            assert response.status_code == 302 and response["Location"] == "/signin", name
        elif name in STAFF | STAFF_HOUSEHOLD | OPERATOR:
            assert response.status_code == 302 and response["Location"].startswith("/staff/login"), name
        elif name in GATEWAY:
            assert response.status_code == 403, name
        elif name not in ("draw", "draw_record"):  # a draw's page is 404 until that draw exists
            assert response.status_code < 400, name


@pytest.mark.django_db
def test_applicants_never_see_staff_pages(maria, world):
    for name, route in routes().items():
        if name in STAFF | STAFF_HOUSEHOLD | OPERATOR:
            response = visit(maria, url_for(route, world, name))
            assert response.status_code == 302 and response["Location"].startswith("/staff/login"), name


@pytest.mark.django_db
def test_staff_of_another_organisation_get_404_for_the_household_and_operator_pages(pablo, world):
    for name, route in routes().items():
        if name in STAFF_HOUSEHOLD | OPERATOR:
            assert visit(pablo, url_for(route, world, name)).status_code == 404, name
    assert pablo.get(f"/staff/tickets/{world['ticket']}").status_code == 404


@pytest.mark.django_db
def test_operators_reach_every_staff_page(olga, world):
    """The page itself (200, or 400 for an empty form), or a redirect that is not to a sign-in:
    an operator locked out would be sent to /staff/login, and that must fail here."""
    for name, route in routes().items():
        if name in STAFF | STAFF_HOUSEHOLD | OPERATOR:
            response = visit(olga, url_for(route, world, name))
            assert response.status_code in (200, 302, 400), name
            if response.status_code == 302:
                location = response["Location"]
                assert location.startswith("/staff/") and not location.startswith("/staff/login"), (name, location)


@pytest.mark.django_db
def test_no_page_with_personal_data_may_be_stored(maria, olga, world):
    """Every applicant and staff page answers `private, no-store` and nothing that says otherwise: a shared
    phone or a shelter's kiosk must not show the last person's household from its cache."""
    seen = 0
    for name, route in routes().items():
        client = maria if name in APPLICANT else olga if name in STAFF | STAFF_HOUSEHOLD | OPERATOR else None
        if client is None:
            continue
        response = client.get(url_for(route, world, name))
        if response.status_code == 200:
            seen += 1
            assert response["Cache-Control"] == "private, no-store" and "Expires" not in response, name
    assert seen >= 25
