"""Rate limits on the pages people could abuse: sign-in, recovery, registration, letter checks.

Counters live in the database (fixed windows), so every web server shares them. Limits per
connection are generous: many people at a shelter kiosk share one address.
"""

import datetime as dt
import math
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from registrations.encryption import blind_index
from registrations.models import RateCounter


def client_address(request: HttpRequest) -> str:
    """The client's IP; behind our own TLS proxy, the address it reports."""
    if settings.BEHIND_TLS_PROXY and request.headers.get("X-Forwarded-For"):
        return request.headers["X-Forwarded-For"].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def hit(bucket: str, limit: int, window_seconds: int, now: dt.datetime | None = None) -> int:
    """Count one request; return 0 if allowed, else the seconds until the window ends."""
    now = now or timezone.now()
    window = int(now.timestamp() // window_seconds)
    key = f"{bucket}:{window}"
    with transaction.atomic():
        if not RateCounter.objects.filter(key=key).update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    expires = dt.datetime.fromtimestamp((window + 1) * window_seconds, tz=dt.UTC)
                    RateCounter.objects.create(key=key, count=1, expires_at=expires)
            except IntegrityError:
                RateCounter.objects.filter(key=key).update(count=F("count") + 1)
        count = RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    if count <= limit:
        return 0
    return max(1, int((window + 1) * window_seconds - now.timestamp()))


def rate_limit(name: str, limit: int, window_seconds: int, methods: tuple[str, ...] = ("POST",)) -> Callable:
    """Refuse with a clear 429 page when one connection sends more than `limit` requests in the window.

    settings.RATE_LIMITS can set another limit for `name` (the RATE_LIMITS environment variable).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods and settings.RATE_LIMITS_ENABLED:
                bucket = f"{name}:{blind_index('client', client_address(request))[:32]}"
                wait = hit(bucket, settings.RATE_LIMITS.get(name, limit), window_seconds)
                if wait:
                    minutes = math.ceil(wait / 60)
                    response = render(request, "errors/429.html", {"minutes": minutes}, status=429)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def purge_counters(now: dt.datetime | None = None) -> int:
    return RateCounter.objects.filter(expires_at__lt=now or timezone.now()).delete()[0]
