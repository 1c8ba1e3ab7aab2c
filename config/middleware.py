"""Turn a lost database connection into a calm "try again" page instead of a stack trace."""

from collections.abc import Callable

from django.db import OperationalError, InterfaceError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, (OperationalError, InterfaceError)):
            response = render(request, "errors/503.html", status=503)
            response["Retry-After"] = "30"
            return response
        return None
