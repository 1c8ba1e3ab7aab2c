"""The form-token (CSRF) cookie is not sent again to a browser that already holds it (issue #18).

Django sends the CSRF cookie again with every page that has a form, the same value, to restart its
expiry timer (a year): 153 bytes on every such page, over 2G, and the cookie formatted anew. Here it
is sent when the browser has none or a different one (a new secret, or one rotated at sign-in); so it
expires a year after it was first sent, not a year after the last page, and the next page then sends a
new one. A form that stays open across that moment is refused once, with the calm "send it again" page
(config.views.csrf_failure).

A middleware placed right after Django's CsrfViewMiddleware (which stays, with its checks): it answers
first, and clears Django's "send the cookie" flag only when the cookie would be the one held.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from shared.public import mark_form_token_in_page


class HeldCsrfCookieMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        held = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
        if held and held == request.META.get("CSRF_COOKIE") and request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
            request.META["CSRF_COOKIE_NEEDS_UPDATE"] = False
            mark_form_token_in_page(request, response)  # never a public response (shared/public.py)
        return response
