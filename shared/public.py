"""Pages a shared cache may keep (rules, counts, keys) never carry a CSRF token or set a cookie.

A proxy or CDN that keeps a public page serves the same bytes to everyone: a token or cookie in
it would be one person's, handed to the next. So pages render the token only for someone signed in (base.html;
forms carry their own), a signed-in visitor's copy is private, and the middleware below makes
private anything that used a token or sets a cookie, whatever a view asked for.

The pages a rush opens first (home, how it works, where) may also be kept by each server for
SERVER_SECONDS (per language and address, `public_page(max_age, server_copy=True)`), for visitors carrying
no cookie but the language. The copy is the whole answer as the middleware below got it back, and is
answered before the rest of the middleware runs: it costs about what a bare Django view does. A shared
cache may keep these pages longer (max-age) anyway. Draws and statistics are rendered each time, so a
decision shows at once here.
"""

import hashlib
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import get_language_from_request

PRIVATE_WORDS = ("private", "no-store")
# In request.META when the page holds a form token made from the cookie the browser sent, which is then
# not sent again (config/csrf.py): such a page is as personal as one that sets the cookie.
FORM_TOKEN_IN_PAGE = "cita.form_token_from_held_cookie"  # noqa: S105  (a flag's name, no secret)
SERVER_SECONDS = 30


def mark_form_token_in_page(request: HttpRequest, response: HttpResponse) -> None:
    """The page holds a form token made from the CSRF cookie the browser sent (and not sent again): never
    public, and it varies with the cookie."""
    request.META[FORM_TOKEN_IN_PAGE] = True
    patch_vary_headers(response, ("Cookie",))


def _copy_key(request: HttpRequest) -> str | None:
    """Where this server keeps its copy of the page, or None when this visitor's page may differ
    (a cookie besides the language: a message waiting, a session, a token in use)."""
    if request.method != "GET" or set(request.COOKIES) - {settings.LANGUAGE_COOKIE_NAME}:
        return None
    if request.path.startswith(settings.STATIC_URL):
        return None
    language = get_language_from_request(request)  # what LocaleMiddleware will choose
    gzip = "gzip" in request.headers.get("Accept-Encoding", "")  # GZipMiddleware compresses for those only
    where = f"{language}:{gzip}:{request.headers.get('HX-Request', '')}:{request.get_full_path()}"
    return "public:" + hashlib.sha256(where.encode()).hexdigest()


def _keep(key: str, response: HttpResponse, seconds: int) -> None:
    if response.status_code == 200 and not response.streaming and not response.cookies:
        cache.set(key, (response.content, list(response.items())), seconds)


def _copy(kept: tuple[bytes, list[tuple[str, str]]]) -> HttpResponse:
    content, headers = kept
    response = HttpResponse(content)
    for name, value in headers:
        response[name] = value
    return response


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return getattr(request, "applicant", None) is not None or bool(user and user.is_authenticated)


def public_page(max_age: int, server_copy: bool = False) -> Callable:
    """Let shared caches keep the page for max_age seconds when nobody is signed in (and this server
    for SERVER_SECONDS, with server_copy)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            public = not _signed_in(request)
            request.public_page = public  # type: ignore[attr-defined]  # read by base.html
            if public and server_copy:
                request.server_copy = min(max_age, SERVER_SECONDS)  # type: ignore[attr-defined]  # for the middleware
            response = view(request, *args, **kwargs)
            if public:
                patch_cache_control(response, public=True, max_age=max_age)
            else:
                patch_cache_control(response, private=True, no_cache=True)
            patch_vary_headers(response, ["Cookie"])
            return response

        return wrapper

    return decorator


class PublicCacheMiddleware:
    """The safety net: a response that used a CSRF token or sets a cookie is never public. And this
    server's copies of the pages a rush opens first, answered before the rest of the middleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = _copy_key(request)
        kept = cache.get(key) if key else None
        if kept is not None:
            return _copy(kept)
        response = self.get_response(request)
        token_used = request.META.get("CSRF_COOKIE_NEEDS_UPDATE") or request.META.get(FORM_TOKEN_IN_PAGE)
        personal = bool(response.cookies) or bool(token_used)
        seconds = getattr(request, "server_copy", 0)
        if key and seconds and not personal:
            _keep(key, response, seconds)
        if personal:
            control = response.get("Cache-Control", "")
            if "public" in control:
                del response["Cache-Control"]
                patch_cache_control(response, private=True, no_cache=True)
            elif not any(word in control for word in PRIVATE_WORDS):
                patch_cache_control(response, private=True)
        return response
