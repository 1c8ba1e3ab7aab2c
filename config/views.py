"""Site-wide pages: home, health check, and the friendly error pages."""

import datetime as dt

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from config.middleware import database_error_response
from shared.personal import no_store
from shared.public import public_page


@require_GET
@public_page(max_age=300, server_copy=True)
def home(request: HttpRequest) -> HttpResponse:
    if getattr(request, "applicant", None):
        return redirect("household")
    return render(request, "home.html")


@require_GET
@no_store
def healthz(request: HttpRequest) -> HttpResponse:
    """200 only when the database answers, so a load balancer drops a broken node."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "database unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@require_GET
@public_page(max_age=86400)
def security_txt(request: HttpRequest) -> HttpResponse:
    """RFC 9116: where to report a vulnerability."""
    expires = (timezone.now() + dt.timedelta(days=180)).strftime("%Y-%m-%dT00:00:00Z")
    lines = [
        f"Contact: mailto:{settings.SECURITY_CONTACT}",
        f"Expires: {expires}",
        "Preferred-Languages: en, es",
        f"Canonical: {settings.SITE_URL}/.well-known/security.txt",
        f"Policy: {settings.SITE_URL}/how-it-works",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The session could not be saved because the database is down or full: try again, not "bad request".
    return database_error_response(exception) or render(request, "errors/400.html", status=400)


def server_error(request: HttpRequest) -> HttpResponse:
    # A database outage met before the view (session, applicant middleware) is a 503, not a bug.
    return database_error_response() or render(request, "errors/500.html", status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """The form was too old or came from elsewhere: say how to carry on, keep it calm."""
    return render(request, "errors/csrf.html", status=403)
