"""Turn a lost database connection into a calm "try again" page instead of a stack trace, and
refuse addresses no one can type before they reach a database."""

import sys
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from shared.outages import caused_by_outage, is_database_unavailable


def try_again_later() -> HttpResponse:
    """The 503 page, rendered without touching the database (no request context, no session)."""
    response = HttpResponse(render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def database_error_response(exception: BaseException | None = None) -> HttpResponse | None:
    """For the error handlers: the 503 page when the error comes from a database outage."""
    return try_again_later() if caused_by_outage(exception or sys.exc_info()[1]) else None


class DatabaseUnavailableMiddleware:
    """Catches outages in views. Outages in earlier middleware (session, applicant) reach handler500,
    which asks database_error_response() for the same page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_unavailable(exception):
            return try_again_later()
        return None


class NulInAddressMiddleware:
    """A NUL character in the address or the query is never typed, and PostgreSQL refuses it in any
    lookup: the visitor gets the "bad request" page before a view can pass it to the database.
    (Forms refuse it in posted fields with their own message.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or any("\x00" in k + str(v) for k, v in request.GET.items()):
            return render(request, "errors/400.html", status=400)
        return self.get_response(request)
