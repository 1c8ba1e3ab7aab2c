"""Who is signed in as an applicant: the session at sign-in, the guard on applicant pages, their household."""

import secrets
from collections.abc import Callable
from functools import wraps

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import rotate_token
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from registrations.middleware import SESSION_KEY, SIGNIN_MARK, VERSION_KEY
from registrations.models import Applicant, Household
from shared import sessions


class HtmxHttpRequest(HttpRequest):
    """The request as django-htmx and ApplicantMiddleware leave it (for type checkers)."""

    htmx: HtmxDetails
    applicant: Applicant | None
    read_along: tuple | None  # what this page read in the session's statement (session_read.ReadAlong)


class SignedInRequest(HtmxHttpRequest):
    """A request past applicant_required: the applicant is there."""

    applicant: Applicant


def own_household(request: HtmxHttpRequest) -> Household | None:
    """The signed-in applicant's household, with what its pages show beside it. The first call in a request
    takes the one ApplicantMiddleware loaded with the applicant (no query); any later call reads it again."""
    if request.applicant is not None and not getattr(request, "household_taken", False):
        request.household_taken = True  # type: ignore[attr-defined]
        try:
            return request.applicant.household
        except Household.DoesNotExist:
            return None
    households = Household.objects.filter(applicant=request.applicant)
    return households.select_related("preferred_port", "current_place").first()


def sign_in(request: HttpRequest, applicant: Applicant, shared: bool = False) -> None:
    """A new session id at sign-in, so a session id seen before cannot be reused, and a new form-token
    secret, as Django's login() makes, so a token planted before sign-in is no use after it; a new sign-in
    mark, so the phone drops what the last sign-in kept (static/js/cita.js)."""
    session = request.session
    session.cycle_key()
    rotate_token(request)
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
