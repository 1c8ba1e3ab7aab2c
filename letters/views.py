"""Letter pages: the household's printable letter, the public verify page and public keys."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from allocation.appointments import live_appointment
from allocation.models import Appointment, Port
from letters import keys
from letters.issue import appointment_letter, exemption_letter
from letters.models import Letter
from letters.qr import qr_svg
from letters.statements import parse
from registrations.ratelimit import rate_limit
from registrations.views.common import applicant_required, own_household
from staff.access import get_household_for_staff, staff_required
from staff.models import AuditAction


def _letter_context(letter: Letter) -> dict:
    statement = parse(keys.verify(letter.signed) or "")
    port = Port.objects.filter(code=statement.port).first() if statement and statement.port else None
    return {
        "letter": letter,
        "statement": statement,
        "port": port,
        "qr": qr_svg(letter.signed),
        "date": parse_date(statement.date) if statement and statement.date else None,
        "members": letter.household.members.filter(is_active=True),
    }


@require_GET
@never_cache
@applicant_required
def household_letter(request: HttpRequest) -> HttpResponse:
    household = own_household(request)
    appointment = live_appointment(household) if household else None
    if appointment is None or appointment.status != Appointment.Status.CONFIRMED:
        return redirect("household")
    context = _letter_context(appointment_letter(appointment))
    if request.GET.get("format") == "svg":
        response = render(request, "letters/letter.svg", context, content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="cita-{household.reference}.svg"'
        return response
    return render(request, "letters/letter.html", context)


@require_GET
@never_cache
@rate_limit("verify", limit=600, window_seconds=3600, methods=("GET",))
def verify(request: HttpRequest) -> HttpResponse:
    """VALID with what the letter states, or NOT VALID; never anything the letter does not show."""
    code = request.GET.get("code", "")[:2000]
    statement = parse(keys.verify(code) or "") if code else None
    port = Port.objects.filter(code=statement.port).first() if statement and statement.port else None
    context = {
        "code": code,
        "checked": bool(code),
        "statement": statement,
        "port": port,
        "date": parse_date(statement.date) if statement and statement.date else None,
    }
    return render(request, "letters/verify.html", context)


@require_GET
@cache_control(public=True, max_age=3600)
def public_keys(request: HttpRequest) -> HttpResponse:
    published = {kid: keys.public_key_text(key) for kid, key in keys.public_keys().items()}
    if request.GET.get("format") == "json":
        return JsonResponse({"algorithm": "Ed25519", "keys": published})
    return render(request, "letters/keys.html", {"published": published})


@require_http_methods(["GET", "POST"])
@never_cache
@staff_required
def exemption(request: HttpRequest, reference: str) -> HttpResponse:
    """NGO staff (for their households) and operators issue a letter for an exempt case."""
    household = get_household_for_staff(request, reference, AuditAction.ISSUE_EXEMPTION_LETTER)
    cases = [(c, label) for c, label in Letter.Case.choices if c]
    error = ""
    if request.method == "POST":
        case = request.POST.get("case", "")
        if case in dict(cases):
            letter = exemption_letter(household, case, request.user)
            return render(request, "letters/letter.html", _letter_context(letter))
        error = "choose"
    return render(
        request,
        "letters/exemption_form.html",
        {"household": household, "cases": cases, "error": error},
        status=400 if error else 200,
    )
