"""Pages that show or take personal data are never stored: not by the browser, a proxy, or a shared phone.

`Cache-Control: private, no-store` says it whole. Django's never_cache adds max-age=0, no-cache,
must-revalidate and an Expires date, which say nothing more beside no-store: about 80 bytes on every
such page on 2G, and formatting that date was a twentieth of the CPU of a status page shown from its
kept copy (issue #18). Part of the shared package: it imports no Cita app.
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse

NO_STORE = "private, no-store"


def forbid_storing(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = NO_STORE
    del response["Expires"]  # a header from elsewhere would say the page may be kept until then
    return response


def no_store(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The view's pages are never stored (in place of Django's never_cache)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return forbid_storing(view(request, *args, **kwargs))

    return wrapper
