"""Letter pages: the household's printable letter, the public verify page, keys and revocation list."""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_GET

from allocation.appointments import live_appointment
from allocation.models import Appointment
from letters import keys, letter_svg, validity
from letters.issue import appointment_letter
from letters.models import Letter
from letters.qr import qr_svg
from letters.statements import KINDS, Statement, parse
from registrations.access import HtmxHttpRequest, applicant_required, own_household
from shared.models import Port
from shared.personal import no_store
from shared.public import public_page
from shared.ratelimit import rate_limit


def _statement_context(statement: Statement | None) -> dict:
    port = Port.objects.filter(code=statement.port).first() if statement and statement.port else None
    return {
        "statement": statement,
        "port": port,
        "date": parse_date(statement.date) if statement and statement.date else None,
        "valid_until": statement.valid_until_time() if statement else None,
    }


def letter_context(letter: Letter) -> dict:
    """What the printed letter shows, in the household's language beside English."""
    return {
        **_statement_context(parse(keys.verify(letter.signed) or "")),
        "letter": letter,
        "qr": qr_svg(letter.signed),
        "members": letter.household.members.filter(is_active=True),
        "languages": list(dict.fromkeys([letter.household.language, "en"])),
    }


@require_GET
@no_store
@applicant_required
def household_letter(request: HtmxHttpRequest) -> HttpResponse:
    household = own_household(request)
    appointment = live_appointment(household) if household else None
    if household is None or appointment is None or appointment.status != Appointment.Status.CONFIRMED:
        return redirect("household")
    context = letter_context(appointment_letter(appointment))
    if request.GET.get("format") == "svg":
        context["svg"] = letter_svg.layout(context)
        response = render(request, "letters/letter.svg", context, content_type="image/svg+xml")
        response["Content-Disposition"] = f'attachment; filename="cita-{household.reference}.svg"'
        return response
    return render(request, "letters/letter.html", context)


def _verdict_json(verdict: validity.Verdict) -> dict:
    words = {validity.VALID: "VALID", validity.NO_LONGER_VALID: "NO LONGER VALID", validity.NOT_VALID: "NOT VALID"}
    answer: dict = {"verdict": words[verdict.outcome]}
    if verdict.outcome == validity.VALID and verdict.statement:
        s = verdict.statement
        answer["statement"] = {
            "kind": KINDS[s.kind],
            "reference": s.reference,
            "port": s.port,
            "date": s.date,
            "window": s.window,
            "people": s.people,
            "case": s.case,
            "issued": s.issued,
            "serial": s.serial,
        }
        answer["valid_until"] = verdict.valid_until.isoformat() if verdict.valid_until else None
    if verdict.outcome == validity.NO_LONGER_VALID:
        answer["reason"] = verdict.reason
        answer["reason_text"] = verdict.reason_text
        answer["since"] = verdict.since.date().isoformat() if verdict.since else None
    return answer


def _json_refusal(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Officers' tools asking for JSON get the limit's refusal as JSON too, with the same Retry-After."""

    @wraps(view)
    def wrapper(request: HttpRequest) -> HttpResponse:
        response = view(request)
        if response.status_code == 429 and request.GET.get("format") == "json":
            wait = response.get("Retry-After", "")
            refusal = JsonResponse({"error": "too many checks from this connection", "retry_after": wait}, status=429)
            refusal["Retry-After"] = wait
            return refusal
        return response

    return wrapper


@require_GET
@no_store
@_json_refusal
@rate_limit("verify", methods=("GET",))
def verify(request: HttpRequest) -> HttpResponse:
    """VALID with what the letter states, NO LONGER VALID with why and since when, or NOT VALID.

    Never anything the letter does not show; the JSON answer (?format=json) counts against the same limit."""
    code = request.GET.get("code", "")[:2000]
    verdict = validity.check(code) if code.strip() else None
    if request.GET.get("format") == "json":
        if verdict is None:
            return JsonResponse({"error": "Give the code from the letter as ?code=…"}, status=400)
        return JsonResponse(_verdict_json(verdict))
    context = {"code": code, "verdict": verdict, **_statement_context(verdict.statement if verdict else None)}
    if verdict:
        context["valid_until"] = verdict.valid_until
    return render(request, "letters/verify.html", context)


@require_GET
@public_page(max_age=3600)
def public_keys(request: HttpRequest) -> HttpResponse:
    published = {kid: keys.public_key_text(key) for kid, key in keys.public_keys().items()}
    if request.GET.get("format") == "json":
        return JsonResponse({"algorithm": "Ed25519", "keys": published})
    return render(request, "letters/keys.html", {"published": published})


@require_GET
@public_page(max_age=300)
def revoked(request: HttpRequest) -> HttpResponse:
    """The signed list of letters no longer valid, for offline checkers to download when they have signal."""
    return HttpResponse(validity.revocation_list(), content_type="text/plain; charset=utf-8")
