"""Turn a lost database connection into a calm "try again" page instead of a stack trace, and
refuse addresses no one can type before they reach a database."""

import sys
from collections.abc import Callable

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

# PostgreSQL refuses writes with this SQLSTATE when the database is read-only (a standby after a
# failover, or default_transaction_read_only set for maintenance): it is an outage, not a bug.
READ_ONLY_SQLSTATE = "25006"


def is_database_unavailable(exception: BaseException | None) -> bool:
    """The database is down, restarting, full, locked or read-only: the request may succeed later."""
    if isinstance(exception, (OperationalError, InterfaceError)):
        return True
    return isinstance(exception, DatabaseError) and getattr(exception.__cause__, "sqlstate", None) == READ_ONLY_SQLSTATE


def try_again_later() -> HttpResponse:
    """The 503 page, rendered without touching the database (no request context, no session)."""
    response = HttpResponse(render_to_string("errors/503.html"), status=503)
    response["Retry-After"] = "30"
    return response


def caused_by_outage(exception: BaseException | None) -> bool:
    """The exception, or one it was raised while handling, is a database outage: Django's session
    store turns a failed save into "session interrupted" (a 400), for one."""
    seen = 0
    while exception is not None and seen < 10:
        if is_database_unavailable(exception):
            return True
        exception, seen = exception.__cause__ or exception.__context__, seen + 1
    return False


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
