"""Attach the signed-in applicant (or None) to each request. Only requests that carry a
session cookie touch the database for it."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from registrations.models import Applicant

SESSION_KEY = "applicant_id"


def _load(request: HttpRequest) -> Applicant | None:
    applicant_id = request.session.get(SESSION_KEY)
    if applicant_id is None:
        return None
    return Applicant.objects.filter(pk=applicant_id).first()


class ApplicantMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.applicant = _load(request)
        return self.get_response(request)
