"""How long a session lasts: applicants keep theirs for weeks, staff and shared phones do not.

Applicants on their own phone stay signed in 30 days, so a weak connection never forces a new
sign-in. Staff sessions end after STAFF_SESSION_IDLE_MINUTES without use and STAFF_SESSION_HOURS
in all; anyone who said the device is shared is signed out after SHARED_DEVICE_IDLE_MINUTES.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY as AUTH_SESSION_KEY
from django.contrib.auth import logout
from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest, HttpResponse

STARTED, SEEN, SHARED = "session_started", "session_seen", "shared_device"
SEEN_PRECISION = 60  # seconds: a busy page writes the session at most once a minute


def start_staff(session: SessionBase, shared: bool) -> None:
    _start(session, shared, settings.STAFF_SESSION_IDLE_MINUTES)


def start_applicant(session: SessionBase, shared: bool) -> None:
    if shared:
        _start(session, shared, settings.SHARED_DEVICE_IDLE_MINUTES)
    else:
        session[SHARED] = False
        session.set_expiry(None)


def _start(session: SessionBase, shared: bool, idle_minutes: int) -> None:
    now = int(time.time())
    session[STARTED] = session[SEEN] = now
    session[SHARED] = shared
    # The cookie goes with the browser when shared, and after the idle time in any case.
    session.set_expiry(0 if shared else _idle_seconds(session, idle_minutes))


def is_shared(request: HttpRequest) -> bool:
    return bool(getattr(request, "session", None) and request.session.get(SHARED))


def _idle_seconds(session: SessionBase, staff_minutes: int) -> int:
    minutes = settings.SHARED_DEVICE_IDLE_MINUTES if session.get(SHARED) else staff_minutes
    return minutes * 60


def _limits(request: HttpRequest) -> tuple[int, int] | None:
    """(idle, absolute) seconds for this session, or None for an applicant on their own phone."""
    # Staff only: a session without a signed-in user is an applicant's or a visitor's (and asking
    # request.user would build the staff user's lazy objects on every applicant request).
    if AUTH_SESSION_KEY in request.session and request.user.is_authenticated:
        return _idle_seconds(request.session, settings.STAFF_SESSION_IDLE_MINUTES), settings.STAFF_SESSION_HOURS * 3600
    if request.session.get(SHARED):
        return _idle_seconds(request.session, settings.SHARED_DEVICE_IDLE_MINUTES), 0
    return None


class SessionTimeoutMiddleware:
    """Ends a staff or shared-device session that went unused too long, or lasted too long.

    The response that finds it over also clears what the browser kept (drafts, kept pages).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limits = _limits(request)
        ended = False
        if limits is not None:
            idle, absolute = limits
            now = int(time.time())
            seen, started = request.session.setdefault(SEEN, now), request.session.setdefault(STARTED, now)
            if now - seen > idle or (absolute and now - started > absolute):
                logout(request)  # flushes the session, applicant included
                request.applicant = None  # type: ignore[attr-defined]  # set by ApplicantMiddleware
                ended = True
            elif now - seen >= SEEN_PRECISION:
                request.session[SEEN] = now
        response = self.get_response(request)
        if ended:
            response["Clear-Site-Data"] = '"cache", "storage"'
        return response
