"""Erasing personal data on request or after the retention period, and purging what expires.

Erasure follows every relation that can hold personal data and leaves a tombstone: the
household row keeps its reference, registration time, size and port (anonymous counts for the
statistics), and nothing that names or reaches a person.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from allocation.models import KeptStatusPage
from allocation.status_page import forget_unshown
from letters.models import Letter
from notifications.models import InboundMessage, Notification
from registrations.models import Household, RecoveryCode, SigninCode
from shared.encryption import blind_index
from shared.models import IdempotencyKey, OutboundMessage
from shared.ratelimit import purge_counters


def erase_household(household: Household) -> None:
    """Remove the household's personal data everywhere; the person may register again later."""
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=household.pk)
        addresses = [a for a in (household.contact_phone, household.contact_email) if a]
        applicant = household.applicant
        if applicant is not None:
            if applicant.address:
                addresses.append(applicant.address)
            RecoveryCode.objects.filter(applicant=applicant).delete()
            applicant.address = None
            applicant.save(update_fields=["address"])
        household.members.all().delete()
        household.vulnerability_requests.update(description="")
        Letter.objects.filter(household=household).delete()
        KeptStatusPage.objects.filter(household=household).delete()  # the page as last shown: names
        indexes = [blind_index("address", a) for a in addresses]
        InboundMessage.objects.filter(household=household).delete()
        InboundMessage.objects.filter(address_index__in=indexes).delete()
        Notification.objects.filter(household=household).delete()
        Notification.objects.filter(address_index__in=indexes).delete()
        OutboundMessage.objects.filter(address_index__in=indexes).delete()
        household.contact_phone = household.contact_email = ""
        household.status = Household.Status.CLOSED
        household.erased_at = timezone.now()
        household.save(update_fields=["contact_phone", "contact_email", "status", "erased_at", "updated_at"])


def purge(now: dt.datetime | None = None) -> dict[str, int]:
    """Delete what has outlived its use: codes and messages no household keeps after a day, resend
    keys after their retention, and closed households past the retention period are erased."""
    now = now or timezone.now()
    day_ago = now - dt.timedelta(days=1)
    counts = {
        # Sign-in codes, and answers to strangers and their texts (no household keeps them).
        "codes and messages without a household": Notification.objects.filter(
            Q(household__isnull=True) | Q(kind="signin-code"), created_at__lt=day_ago
        ).delete()[0],
        "texts without a household": InboundMessage.objects.filter(
            household__isnull=True, received_at__lt=day_ago
        ).delete()[0],
        "signin codes": SigninCode.objects.filter(created_at__lt=day_ago).delete()[0],
        "outbox copies": OutboundMessage.objects.filter(created_at__lt=day_ago).delete()[0],
        "resend keys": IdempotencyKey.objects.filter(
            created_at__lt=now - dt.timedelta(days=settings.IDEMPOTENCY_KEY_RETENTION_DAYS)
        ).delete()[0],
    }
    expired = Household.objects.filter(
        status=Household.Status.CLOSED,
        erased_at__isnull=True,
        updated_at__lt=now - dt.timedelta(days=settings.CLOSED_HOUSEHOLD_RETENTION_DAYS),
    )
    counts["rate counters"] = purge_counters(now)
    counts["kept status pages"] = forget_unshown(now)
    counts["closed households erased"] = 0
    for household in expired:
        erase_household(household)
        counts["closed households erased"] += 1
    return counts
