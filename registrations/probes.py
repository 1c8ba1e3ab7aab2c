"""How many different people one account, or one connection, is told are registered elsewhere.

The duplicate message has to be clear (people must know why a relative cannot be added), but
it also answers "is this person registered?" for anyone who types a name, a birth date and a
nationality. So each account and each connection is told about at most a few *different*
people a day (the same person again does not count); past that, the page sends them to an
NGO, where a person can look at it with them. Operators see the accounts that probe
(staff.views.operator.reuse_queue).

The counts are the rate limits `duplicates-told` (per account), `duplicates-told-ip` (per
connection) and `duplicate-seen` (one account, one person) of shared.ratelimit.LIMITS,
so RATE_LIMITS can change them without a release.
"""

from collections.abc import Iterable

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from registrations.models import Applicant
from shared import ratelimit
from shared.addresses import mask_address
from shared.models import RateCounter

SHOWN_AT = 3  # an account told about this many different people today is listed for operators


def may_tell(request: HttpRequest, applicant: Applicant, person_keys: Iterable[str]) -> bool:
    """Count the people about to be disclosed; False once this account or connection is past its limit."""
    if not settings.RATE_LIMITS_ENABLED:
        return True
    connection = ratelimit.client_address(request)
    allowed = True
    for key in person_keys:
        if ratelimit.count("duplicate-seen", f"{applicant.pk}:{key[:24]}").refused:
            continue  # this account was told about this person today already
        told = ratelimit.count("duplicates-told", str(applicant.pk))
        from_here = ratelimit.count("duplicates-told-ip", connection)
        if told.refused or from_here.refused:
            allowed = False
    return allowed


def probing_accounts() -> list[dict]:
    """Accounts told about several different registered people today, most first: for a person to look at."""
    window = int(timezone.now().timestamp() // ratelimit.LIMITS["duplicates-told"].seconds)
    rows = RateCounter.objects.filter(
        key__startswith="duplicates-told:", key__endswith=f":{window}", count__gte=SHOWN_AT
    ).order_by("-count")
    found = []
    for key, people in rows.values_list("key", "count"):
        applicant = Applicant.objects.filter(pk=key.split(":")[1]).first()
        if applicant is not None:
            masked = mask_address(applicant.address) if applicant.address else ""
            found.append({"applicant": applicant, "masked": masked, "people": people})
    return found
