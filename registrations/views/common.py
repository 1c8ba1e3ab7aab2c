"""Small helpers shared by applicant views."""

import secrets
from collections.abc import Callable, Iterable
from functools import wraps

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from config import sessions
from registrations.idempotency import new_key  # noqa: F401 (views import it from here)
from registrations.middleware import SESSION_KEY, SIGNIN_MARK, VERSION_KEY
from registrations.models import Applicant, Household


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx and ApplicantMiddleware leave it (for type checkers)."""

    htmx: HtmxDetails
    applicant: Applicant | None


class SignedInRequest(HtmxHttpRequest):
    """A request past applicant_required: the applicant is there."""

    applicant: Applicant


def own_household(request: HtmxHttpRequest) -> Household | None:
    """The signed-in applicant's household, with what its pages show beside it."""
    households = Household.objects.filter(applicant=request.applicant)
    return households.select_related("preferred_port", "current_place").first()


def error_list(*forms_: forms.BaseForm | forms.BaseFormSet | None) -> list[tuple[str, str]]:
    """Every error as (field id, message), in page order, for the error summary."""
    found: list[tuple[str, str]] = []
    for form in forms_:
        if form is None:
            continue
        if isinstance(form, forms.BaseFormSet):
            found += [("", str(message)) for message in form.non_form_errors()]
            found += error_list(*form.forms)
            continue
        found += [("", str(message)) for message in form.non_field_errors()]
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            field_id = form[name].auto_id if name in form.fields else ""
            found += [(field_id, str(message)) for message in errors]
    return found


def sign_in(session: SessionBase, applicant: Applicant, shared: bool = False) -> None:
    """A new session id at sign-in, so a session id seen before cannot be reused; a new sign-in
    mark, so the phone drops what the last sign-in kept (static/js/cita.js)."""
    session.cycle_key()
    session[SESSION_KEY] = applicant.pk
    session[VERSION_KEY] = applicant.session_version
    session[SIGNIN_MARK] = secrets.token_hex(8)
    sessions.start_applicant(session, shared)


def keep_this_session(session: SessionBase, applicant: Applicant) -> None:
    """After the account ended its other sessions, this one carries the new stamp and stays signed in."""
    session[VERSION_KEY] = applicant.session_version


def applicant_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args, **kwargs) -> HttpResponse:
        if request.applicant is None:
            return redirect("signin")
        return view(request, *args, **kwargs)

    return wrapper


def post_items(request: HttpRequest) -> Iterable[tuple[str, str]]:
    return ((key, value) for key in request.POST for value in request.POST.getlist(key))


def isolate(text: str) -> str:
    """A name or phone number put into a sentence built here, between Unicode isolates (FSI … PDI):
    what <bdi> does in templates, so an Arabic message keeps its full stop at its own end."""
    return f"\u2068{text}\u2069"
