"""Attach the signed-in applicant (or None) to each request (only requests that carry a session
cookie touch the database for it), and answer resent submits alike on every form."""

from collections.abc import Callable
from functools import lru_cache

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix, reverse
from django.utils import timezone

from registrations.models import AccountSession, Applicant
from registrations.session_read import PAGES_READ_ALONG, ReadAlong, read_session
from shared.idempotency import KeyInFlight, KeyReused
from shared.personal import forbid_storing

SESSION_KEY = "applicant_id"
VERSION_KEY = "applicant_session_version"
SIGNIN_MARK = "signin_mark"


# The household (and what its pages show beside it) comes with the applicant: own_household's first call.
RELATED = ("household__preferred_port", "household__current_place")


@lru_cache(maxsize=64)
def _path(url_name: str, script_prefix: str) -> str:
    return reverse(url_name)  # the same prefix: the caller's


def _page_read_along(request: HttpRequest) -> ReadAlong | None:
    if request.method != "GET" or not PAGES_READ_ALONG:
        return None
    prefix = get_script_prefix()
    return next((page for page in PAGES_READ_ALONG if _path(page.url_name, prefix) == request.path), None)


def _read_with_session(request: HttpRequest) -> AccountSession | None:
    """Reads the session, if not read yet, in one query with its applicant and the household
    (session_store.SessionStore keeps the applicant beside the session's data), and the columns the page
    asked for (kept as request.read_along, else None): the row, if any."""
    from registrations.session_store import SessionStore  # it imports this module's keys

    request.read_along = None  # type: ignore[attr-defined]  # typed in access.HtmxHttpRequest
    session = request.session
    if not isinstance(session, SessionStore) or session.is_loaded() or session.session_key is None:
        return None
    read = read_session(session.session_key, timezone.now(), along=_page_read_along(request))
    session.take(read.row)
    request.read_along = read.along  # type: ignore[attr-defined]
    return read.row


def _load(request: HttpRequest) -> Applicant | None:
    """The session's applicant, unless that account ended its other sessions since this one began:
    then this session is emptied and the phone sees the sign-in page."""
    row = _read_with_session(request)
    applicant_id = request.session.get(SESSION_KEY)
    if applicant_id is None:
        return None
    applicant = row.applicant if row is not None and row.applicant_id == applicant_id else None
    if applicant is None:
        applicant = Applicant.objects.filter(pk=applicant_id).select_related(*RELATED).first()
        if applicant is not None and row is not None:
            # A session saved before the applicant was kept beside it: kept now, read in one query next time.
            AccountSession.objects.filter(session_key=row.session_key).update(applicant=applicant)
    if applicant is not None and request.session.get(VERSION_KEY, 0) != applicant.session_version:
        request.session.flush()
        return None
    return applicant


class ApplicantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.applicant = _load(request)  # type: ignore[attr-defined]  # typed in views.common.HtmxHttpRequest
        return self.get_response(request)


class ResendMiddleware:
    """Answer a resent submit the same way on every form: a key still being applied gets 409 with
    the form ready to send again, a key reused for different answers gets 422."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, KeyInFlight):
            typed = request.POST.lists()
            fields = [(name, value) for name, values in typed if name != "csrfmiddlewaretoken" for value in values]
            context = {"fields": fields, "action": request.path}
            response = render(request, "errors/key_in_flight.html", context, status=409)
            response["Retry-After"] = "5"
            forbid_storing(response)  # it holds what was typed, on any page (staff pages too)
            return response
        if isinstance(exception, KeyReused):
            return render(request, "errors/key_reused.html", status=422)
        return None
