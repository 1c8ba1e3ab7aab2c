"""The progressive web app: service worker, manifest, offline page, and no-store for personal pages.

The service worker is served from the site root (not /static/) so its scope covers every page,
with the hashed static URLs of the app shell written into it: a new deploy changes those names,
which changes the worker's bytes, so phones pick up the new shell on their next visit.
"""

import hashlib
import json
from collections.abc import Callable
from functools import cache

from django.contrib.staticfiles import finders
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shared.personal import forbid_storing
from shared.public import public_page

# Pages that show or take personal data: never kept by the browser's HTTP cache.
PERSONAL_PREFIXES = ("/household", "/signin", "/recovery-codes", "/account")
SHELL_FILES = ("css/cita.css", "js/cita.js", "django_htmx/htmx-2.min.js")


@cache
def _worker_source() -> str:
    path = finders.find("js/sw.js")
    if not isinstance(path, str):
        raise FileNotFoundError("js/sw.js is not among the static files")
    with open(path, encoding="utf-8") as source:
        return source.read()


def shell_urls() -> list[str]:
    """What the worker keeps from its install on: the offline page and the hashed static files."""
    return [reverse("offline"), *(static(name) for name in SHELL_FILES)]


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    urls = shell_urls()
    version = hashlib.sha256(json.dumps(urls).encode()).hexdigest()[:12]
    config = json.dumps(
        {"version": version, "shell": urls, "offline": reverse("offline"), "kept": [reverse("household")]}
    )
    body = _worker_source().replace("self.CITA_CONFIG", config, 1)
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Browsers check for a new worker on each visit; it must never come from a stale cache.
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    data = {
        "name": "Cita",
        "short_name": "Cita",
        "description": _("Ask for an appointment at the border"),
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4ed8",
        "icons": [{"src": reverse("pwa_icon"), "sizes": "any", "type": "image/svg+xml", "purpose": "any"}],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=24 * 3600)
    return response


ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" height="64" rx="12" fill="#1d4ed8"/>'
    '<path d="M42 22a14 14 0 1 0 0 20" fill="none" stroke="#fff" stroke-width="7" stroke-linecap="round"/></svg>'
)


@require_GET
def icon(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(ICON, content_type="image/svg+xml")
    patch_cache_control(response, public=True, max_age=7 * 24 * 3600)
    return response


@require_GET
@public_page(max_age=0)
def offline(request: HttpRequest) -> HttpResponse:
    """Shown by the service worker when a page cannot be reached; kept in the user's language.
    Public: fetched at install, it must not hand the phone a CSRF cookie (see shared/public.py)."""
    response = render(request, "offline.html")
    patch_cache_control(response, no_cache=True, max_age=0)
    return response


class NoStoreMiddleware:
    """Applicant pages with personal data are never stored by the browser or a proxy.

    A shared or stolen phone must not show someone's household from its cache; the service
    worker keeps the status page only when the applicant asks for it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(PERSONAL_PREFIXES):
            forbid_storing(response)  # whatever the view said (shared/personal.py)
        elif request.method == "POST" and request.path == reverse("signout"):
            # Drafts, kept pages and caches go with the session, even when JavaScript did not run.
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
