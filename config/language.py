"""The language switch: plain links, so it works without JavaScript and keeps public pages
cacheable (no form, no CSRF token in the page). The choice is kept in a cookie and, for a
signed-in applicant, in their profile so messages reach them in that language too."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_GET

from registrations.models import Applicant


def remember_language(applicant: Applicant, language: str) -> None:
    """Keep the applicant's language for the messages we send them."""
    Applicant.objects.filter(pk=applicant.pk).update(language=language)


@require_GET
def change_language(request: HttpRequest, language: str) -> HttpResponse:
    next_url = request.GET.get("next", "/")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=True,
        )
        applicant = getattr(request, "applicant", None)
        if applicant:
            remember_language(applicant, language)
    return response
