"""Delivery reports from the gateway, and what happens when an SMS does not arrive.

A failed or expired SMS, or one with no delivery report after a set time (SMS_FALLBACK_SECONDS,
SIGNIN_SMS_FALLBACK_SECONDS for codes), is sent again to the household's email address; an
appointment message with no email goes to the NGO staff who help the household, so they can pass
it on. A sign-in code goes only to the household's own addresses, never to an NGO.
"""

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from notifications.models import Notification
from notifications.outbox import backend_class, enqueue

# Codes and appointment messages (notifications.events) fall back; answers to texts do not.
FALLBACK_KINDS = (
    "signin-code",
    "offered",
    "reminder",
    "cancelled",
    "port_closed",
    "rescheduled",
    "expired",
    "missed",
)
# Kannel's delivery report types (dlr-mask bits): 1 delivered, 2 not delivered, 4 queued at the
# operator, 8 accepted by the operator, 16 refused by the operator.
REPORT_DELIVERED, REPORT_FAILED, REPORT_REFUSED = 1, 2, 16


def record_delivery(pk: int, report_type: int, report_text: str = "") -> str | None:
    """Store a final delivery report once (the first wins); a failure starts the fallback."""
    if report_type == REPORT_DELIVERED:
        delivery = Notification.Delivery.DELIVERED
    elif report_type in (REPORT_FAILED, REPORT_REFUSED):
        expired = "EXPIRED" in report_text.upper()
        delivery = Notification.Delivery.EXPIRED if expired else Notification.Delivery.FAILED
    else:
        return None  # queued or accepted by the operator: not final
    changed = Notification.objects.filter(pk=pk, delivery=Notification.Delivery.UNKNOWN).update(
        delivery=delivery, delivered_at=timezone.now() if delivery == Notification.Delivery.DELIVERED else None
    )
    if changed and delivery != Notification.Delivery.DELIVERED:
        fall_back(Notification.objects.select_related("household__applicant").get(pk=pk))
    return delivery


def _ngo_emails(household) -> list[str]:
    users = get_user_model().objects.filter(
        is_active=True, staff_profile__organisation__household_links__household=household
    )
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def fall_back(note: Notification) -> int:
    """Send an SMS that did not arrive to the household's email, or to its NGO. Returns messages queued."""
    household = note.household
    if note.channel != "sms" or note.kind not in FALLBACK_KINDS or household is None:
        return 0
    applicant_address = household.applicant.address if household.applicant else ""
    emails = [a for a in (household.contact_email, applicant_address) if a and "@" in a]
    if emails:
        with translation.override(household.language):
            subject = _("A message from Cita")
        stand_in = enqueue(
            address=emails[0],
            body=note.body,
            subject=subject,
            kind=note.kind,
            event_key=f"fallback:{note.pk}",
            household=household,
            urgent=note.urgent,
            fallback_for=note,
        )
        return int(stand_in is not None)
    if note.kind == "signin-code":
        return 0
    queued = 0
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Cita: a message did not reach a household you help")
        body = _("Cita could not deliver this SMS to household %(reference)s. Pass it on to them:\n\n%(message)s") % {
            "reference": household.reference,
            "message": note.body,
        }
    for i, email in enumerate(_ngo_emails(household)):
        queued += (
            enqueue(
                address=email,
                body=body,
                subject=subject,
                kind=note.kind,
                event_key=f"fallback:{note.pk}:{i}",
                household=household,
                fallback_for=note,
            )
            is not None
        )
    return queued


def fall_back_overdue(now: dt.datetime | None = None) -> int:
    """SMS with no delivery report in time count as expired and fall back (only with a gateway that reports)."""
    if not getattr(backend_class(), "reports_delivery", False):
        return 0
    now = now or timezone.now()
    fell_back = 0
    for urgent, seconds in ((True, settings.SIGNIN_SMS_FALLBACK_SECONDS), (False, settings.SMS_FALLBACK_SECONDS)):
        overdue = Notification.objects.filter(
            channel="sms",
            status=Notification.Status.SENT,
            delivery=Notification.Delivery.UNKNOWN,
            urgent=urgent,
            kind__in=FALLBACK_KINDS,
            sent_at__lt=now - dt.timedelta(seconds=seconds),
        ).values_list("pk", flat=True)
        for pk in list(overdue):
            if Notification.objects.filter(pk=pk, delivery=Notification.Delivery.UNKNOWN).update(
                delivery=Notification.Delivery.EXPIRED
            ):
                fell_back += fall_back(Notification.objects.select_related("household__applicant").get(pk=pk))
    return fell_back
