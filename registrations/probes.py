"""How many different people one account, or one connection, is told are registered elsewhere.

The duplicate message has to be clear (people must know why a relative cannot be added), but
it also answers "is this person registered?" for anyone who types a name, a birth date and a
nationality. So each account and each connection is told about at most a few *different*
people a day (the same person again does not count); past that, the page sends them to an
NGO, where a person can look at it with them. Each disclosure is kept as an Attempt so
operators see the accounts that probe (staff.views.operator.reuse_queue).

The counters are the rate-limit counters (registrations.ratelimit.hit), so RATE_LIMITS can
change the limits without a release: `duplicates-told` (per account) and `duplicates-told-ip`.
"""

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest
from django.utils import timezone

from registrations.addresses import mask_address
from registrations.encryption import blind_index
from registrations.models import Applicant, Attempt
from registrations.ratelimit import client_address, hit

DAY = 24 * 3600
PER_ACCOUNT = 5
PER_CONNECTION = 20  # a shelter's kiosk: many families behind one address
BUCKET = "duplicate-told"
SHOWN_AT = 3  # an account told about this many people in a week is listed for operators


def limit(name: str, default: int) -> int:
    return settings.RATE_LIMITS.get(name, default)


def may_tell(request: HttpRequest, applicant: Applicant, person_keys: Iterable[str]) -> bool:
    """Count the people about to be disclosed; False once this account or connection is past its limit.

    Kept counts are per person: asking again about someone already disclosed today costs nothing.
    """
    if not settings.RATE_LIMITS_ENABLED:
        return True
    connection = blind_index("client", client_address(request))[:32]
    allowed = True
    for key in person_keys:
        person = key[:24]
        if hit(f"{BUCKET}:seen:{applicant.pk}:{person}", 1, DAY):
            continue  # this account was told about this person today already
        Attempt.objects.create(bucket=f"{BUCKET}:{applicant.pk}", created_at=timezone.now())
        over_account = hit(f"{BUCKET}:{applicant.pk}", limit("duplicates-told", PER_ACCOUNT), DAY)
        over_connection = hit(f"{BUCKET}-ip:{connection}", limit("duplicates-told-ip", PER_CONNECTION), DAY)
        if over_account or over_connection:
            allowed = False
    return allowed


def probing_accounts(days: int = 7) -> list[dict]:
    """Accounts told about several different registered people lately, most first: for a person to look at."""
    since = timezone.now() - dt.timedelta(days=days)
    rows = (
        Attempt.objects.filter(bucket__startswith=f"{BUCKET}:", created_at__gte=since)
        .values("bucket")
        .annotate(people=Count("id"), last=Max("created_at"))
        .filter(people__gte=SHOWN_AT)
        .order_by("-people")
    )
    found = []
    for row in rows:
        applicant_id = row["bucket"].rsplit(":", 1)[1]
        applicant = Applicant.objects.filter(pk=applicant_id).select_related("household").first()
        if applicant is not None:
            masked = mask_address(applicant.address) if applicant.address else ""
            found.append({"applicant": applicant, "masked": masked, "people": row["people"], "last": row["last"]})
    return found
