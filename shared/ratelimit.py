"""Every rate limit of Cita, declared in LIMITS below and counted one way (docs/rate-limits.md).

Counters live in the database in fixed windows, so every web server shares them. A limit counts
"who" (a connection, a phone, a code, an account); settings.RATE_LIMITS (the RATE_LIMITS
environment variable) can set another number for any name without a release.
"""

import datetime as dt
import ipaddress
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shared.encryption import blind_index
from shared.models import RateCounter

HOUR = 3600
DAY = 24 * HOUR


@dataclass(frozen=True)
class Limit:
    count: int
    seconds: int
    counts: str  # what one count is, and per what: for docs and the operator
    hashed: bool = True  # False only where the operator must see whom (a staff account number)


LIMITS: dict[str, Limit] = {
    # Requests per connection: generous, many phones share a shelter's or carrier's address.
    "signin": Limit(60, HOUR, "code requests per connection"),
    "signin-code": Limit(120, HOUR, "code entries per connection"),
    "recover": Limit(30, HOUR, "recovery sign-in tries per connection"),
    "verify": Limit(600, HOUR, "letter checks per connection"),
    "staff-login": Limit(30, HOUR, "staff sign-in tries per connection"),
    # Signed-in actions count per account, never per connection (a shelter is one connection).
    "register": Limit(60, HOUR, "registration sends per account"),
    # Codes: what one phone receives, and who may try them.
    "codes-sent": Limit(3, HOUR, "codes sent to one phone or email, asked from one connection"),
    "codes-sent-all": Limit(10, HOUR, "codes sent to one phone or email from all connections"),
    "code-tries": Limit(5, DAY, "wrong tries of one code, in the session that asked for it"),
    "code-tries-texted": Limit(20, DAY, "wrong tries, from all sessions, of a code the phone asked for by text"),
    # Texts from phones: help answers to one phone (notifications.inbound).
    "sms-help": Limit(2, DAY, "help texts sent back to one phone"),
    # Recovery: wrong tries per household reference from one connection; many connections alert.
    "recovery-tries": Limit(5, HOUR, "wrong recovery codes for one reference from one connection"),
    "recovery-tries-all": Limit(20, HOUR, "wrong recovery codes for one reference (alerts, never blocks)"),
    # Staff: identity checks that did not match before moving a household's sign-in (staff.numbers).
    "staff-checks": Limit(5, HOUR, "failed identity checks per household when staff move its sign-in"),
    # Staff: wrong sign-ins per account lock it until the day ends or an operator unlocks it.
    "staff-account": Limit(10, DAY, "wrong staff sign-ins per account", hashed=False),
    # The duplicate message: how many different registered people one account or connection is told
    # about (registrations.probes); the same person again is free. Unhashed per account so operators
    # see which accounts probe.
    "duplicates-told": Limit(5, DAY, "different registered people one account is told about", hashed=False),
    "duplicates-told-ip": Limit(20, DAY, "different registered people told about from one connection"),
    "duplicate-seen": Limit(1, DAY, "one account told about one person (the same person again is free)"),
}


@dataclass(frozen=True)
class Verdict:
    used: int
    limit: int
    retry_after: int  # seconds until the window ends

    @property
    def refused(self) -> bool:
        return self.used > self.limit

    @property
    def left(self) -> int:
        return max(0, self.limit - self.used)

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))


def limit_of(name: str) -> int:
    return settings.RATE_LIMITS.get(name, LIMITS[name].count)


def _key(name: str, who: str, now: dt.datetime) -> tuple[str, int]:
    limit = LIMITS[name]
    window = int(now.timestamp() // limit.seconds)
    subject = blind_index("limit", who)[:32] if limit.hashed else who
    return f"{name}:{subject}:{window}", window


def _verdict(name: str, used: int, window: int, now: dt.datetime) -> Verdict:
    end = (window + 1) * LIMITS[name].seconds
    return Verdict(used=used, limit=limit_of(name), retry_after=max(1, int(end - now.timestamp())))


def peek(name: str, who: str, now: dt.datetime | None = None) -> Verdict:
    """How much of the limit is used, without counting: refused once one more would go over."""
    now = now or timezone.now()
    key, window = _key(name, who, now)
    used = RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0
    return _verdict(name, used + 1, window, now)


def count(name: str, who: str, now: dt.datetime | None = None) -> Verdict:
    """Count one for `who` under the limit `name`; the verdict says whether it went over.

    One statement, atomic in the database (an upsert that returns the new count), so concurrent
    workers never lose a count and a busy form pays one round trip for its limit, not a transaction.
    """
    now = now or timezone.now()
    key, window = _key(name, who, now)
    expires = dt.datetime.fromtimestamp((window + 1) * LIMITS[name].seconds, tz=dt.UTC)
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, [key, connection.ops.adapt_datetimefield_value(expires)])
        used = cursor.fetchone()[0]
    return _verdict(name, used, window, now)


# PostgreSQL and SQLite (3.35+) both take this upsert; the ORM has no "add one and say how many".
# The table is RateCounter's (shared.models; tests/registrations/test_rate_limits.py checks the name).
_COUNT_SQL = (
    'INSERT INTO "registrations_ratecounter" ("key", "count", "expires_at") VALUES (%s, 1, %s) '
    'ON CONFLICT ("key") DO UPDATE SET "count" = "registrations_ratecounter"."count" + 1 RETURNING "count"'
)


def reset(name: str, who: str, now: dt.datetime | None = None) -> None:
    """Forget the count in the current window (an operator unlocking an account)."""
    RateCounter.objects.filter(key=_key(name, who, now or timezone.now())[0]).delete()


def over_limit(name: str, now: dt.datetime | None = None) -> list[str]:
    """Whom the limit refuses now; only for limits kept unhashed (staff accounts)."""
    now = now or timezone.now()
    window = int(now.timestamp() // LIMITS[name].seconds)
    keys = RateCounter.objects.filter(key__startswith=f"{name}:", key__endswith=f":{window}", count__gte=limit_of(name))
    return [key.split(":")[1] for key in keys.values_list("key", flat=True)]


def client_address(request: HttpRequest) -> str:
    """The client's IP. Behind PROXY_HOPS proxies of ours, the address the outermost one saw.

    X-Forwarded-For is believed only from a peer in PROXY_NETWORKS and only as many entries from
    the right as there are proxies: anything further left was written by the client.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    hops = settings.PROXY_HOPS
    if not hops or not _is_proxy(peer):
        return peer
    chain = [entry.strip() for entry in request.headers.get("X-Forwarded-For", "").split(",") if entry.strip()]
    return chain[-hops] if len(chain) >= hops else peer


def _is_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in settings.PROXY_NETWORKS)


def who_sends(request: HttpRequest) -> str:
    """Signed-in requests count per account (applicant or staff), others per connection."""
    applicant = getattr(request, "applicant", None)
    if applicant is not None:
        return f"applicant:{applicant.pk}"
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"staff:{user.pk}"
    return f"client:{client_address(request)}"


def too_many(request: HttpRequest, verdict: Verdict) -> HttpResponse:
    response = render(request, "errors/429.html", {"minutes": verdict.minutes}, status=429)
    response["Retry-After"] = str(verdict.retry_after)
    return response


def rate_limit(
    name: str, methods: tuple[str, ...] = ("POST",), counted: Callable[[HttpRequest], bool] = lambda request: True
) -> Callable:
    """Refuse with a clear 429 page when one sender goes over the limit `name` of LIMITS.

    `counted` leaves out requests that are not what the limit is about (adding a row to a form).
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method in methods and settings.RATE_LIMITS_ENABLED and counted(request):
                verdict = count(name, who_sends(request))
                if verdict.refused:
                    return too_many(request, verdict)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def purge_counters(now: dt.datetime | None = None) -> int:
    return RateCounter.objects.filter(expires_at__lt=now or timezone.now()).delete()[0]
