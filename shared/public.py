"""Pages a shared cache may keep (rules, counts, keys) never carry a CSRF token or set a cookie.

A proxy or CDN that keeps a public page serves the same bytes to everyone: a token or cookie in
it would be one person's, handed to the next. So pages render the token only for someone signed in (base.html;
forms carry their own), a signed-in visitor's copy is private, and the middleware below makes
private anything that used a token or sets a cookie, whatever a view asked for.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

PRIVATE_WORDS = ("private", "no-store")


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return getattr(request, "applicant", None) is not None or bool(user and user.is_authenticated)


def public_page(max_age: int) -> Callable:
    """Let shared caches keep the page for max_age seconds when nobody is signed in."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            public = not _signed_in(request)
            request.public_page = public  # type: ignore[attr-defined]  # read by the public-page middleware
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
    """The safety net: a response that used a CSRF token or sets a cookie is never public."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        personal = bool(response.cookies) or request.META.get("CSRF_COOKIE_NEEDS_UPDATE", False)
        if personal:
            control = response.get("Cache-Control", "")
            if "public" in control:
                del response["Cache-Control"]
                patch_cache_control(response, private=True, no_cache=True)
            elif not any(word in control for word in PRIVATE_WORDS):
                patch_cache_control(response, private=True)
        return response
