import hashlib
import hmac

from django.conf import settings
from django.http import HttpRequest

from registrations.middleware import SIGNIN_MARK
from shared.sessions import is_shared


def applicant(request: HttpRequest) -> dict:
    """The signed-in applicant, and the marks cita.js compares to forget what another sign-in kept:
    one per account (a keyed hash, naming nobody) and one per sign-in."""
    person = getattr(request, "applicant", None)
    shared = settings.SHARED_DEVICE_IDLE_MINUTES if is_shared(request) else 0
    context = {"applicant": person, "shared_device_minutes": shared}
    if person is not None:
        mark = hmac.new(settings.SECRET_KEY.encode(), f"account:{person.pk}".encode(), hashlib.sha256)
        context["account_mark"] = mark.hexdigest()[:16]
        context["signin_mark"] = request.session.get(SIGNIN_MARK, "")
    return context
