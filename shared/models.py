"""The records every app shares: the ports (households choose one, the draw fills it), the audit
log, rate-limit counters, submits already applied and the copy of each message sent.

These models were moved here from allocation, staff and registrations; each keeps its table
(db_table), so no row moved (migrations/0001_initial.py).
"""

import datetime as dt
import zoneinfo
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shared.encryption import EncryptedCharField, EncryptedTextField

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrPromise


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(_("Enter a time zone name such as America/Chicago.")) from None


class Port(models.Model):
    """A land port of entry where households present themselves at their appointment."""

    code = models.SlugField(verbose_name=_("code"), max_length=32, unique=True)
    name = models.CharField(verbose_name=_("name"), max_length=100)
    mexican_city = models.CharField(
        verbose_name=_("Mexican city"), max_length=100, help_text=_("The city on the Mexican side.")
    )
    address = models.CharField(verbose_name=_("address"), max_length=200)
    latitude = models.DecimalField(verbose_name=_("latitude"), max_digits=8, decimal_places=5)
    longitude = models.DecimalField(verbose_name=_("longitude"), max_digits=8, decimal_places=5)
    time_zone = models.CharField(verbose_name=_("time zone"), max_length=64, validators=[validate_time_zone])
    opens_at = models.TimeField(verbose_name=_("opens at"), default=dt.time(8, 0))
    closes_at = models.TimeField(verbose_name=_("closes at"), default=dt.time(17, 0))
    daily_capacity = models.PositiveIntegerField(verbose_name=_("daily capacity"), help_text=_("People per day."))
    window_minutes = models.PositiveSmallIntegerField(verbose_name=_("minutes per time window"), default=30)
    grace_minutes = models.PositiveSmallIntegerField(
        verbose_name=_("minutes late allowed"),
        default=60,
        help_text=_("How late a household may check in and keep its appointment."),
    )
    accepts_requests = models.BooleanField(verbose_name=_("accepts requests"), default=True)

    class Meta:
        verbose_name = _("port")
        verbose_name_plural = _("ports")
        ordering = ["name"]
        db_table = "allocation_port"

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.opens_at and self.closes_at and self.opens_at >= self.closes_at:
            raise ValidationError(_("The port must close after it opens."))

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class AuditAction(models.TextChoices):
    """What a staff member did, as the audit log names it. The stored values are the words the log
    used before it was an enumeration, so older rows keep their meaning; the labels are translated."""

    VIEW_HOUSEHOLD = "view household", _("Looked at the household")
    VIEW_AT_CHECK_IN = "view household at check-in", _("Looked at the household at the check-in desk")
    PRINT_SLIP = "print slip", _("Printed the registration slip")
    OPEN_VULNERABILITY_REQUEST = "open vulnerability request", _("Opened a vulnerability request")
    ISSUE_EXEMPTION_LETTER = "issue exemption letter", _("Opened or issued an exemption letter")
    APPROVE_VULNERABILITY = "approve vulnerability", _("Approved a vulnerability request")
    DECLINE_VULNERABILITY = "decline vulnerability", _("Declined a vulnerability request")
    REVIEW_REUSE = "review reuse", _("Reviewed a phone or email shared by several households")
    VIEW_PERSON_TO_MOVE = "view person to move", _("Looked at a person to move")
    MOVE_PERSON = "move person", _("Moved a person to another household")
    CHECK_IN = "check in", _("Checked the household in at the port")
    REGISTER_HOUSEHOLD = "register household", _("Registered the household")
    REVOKE_LETTER = "revoke letter", _("Withdrew a letter")
    ADD_PERSON = "add person", _("Added a person to the household")
    CHANGE_PERSON = "change person", _("Changed a person's details")
    REMOVE_PERSON = "remove person", _("Removed a person from the household")
    MOVE_SIGNIN = "move sign-in", _("Moved the household's sign-in to a new phone or email")
    CLOSE_PORT_DAY = "close port day", _("Closed a port for a day and rebooked its households")
    REQUEST_EXEMPTION_LETTER = "request exemption letter", _("Asked for a letter of exemption")
    APPROVE_EXEMPTION_LETTER = "approve exemption letter", _("Approved a letter of exemption (letter signed)")
    DECLINE_EXEMPTION_LETTER = "decline exemption letter", _("Declined a letter of exemption")
    VIEW_LETTER = "view letter", _("Opened a letter to print")
    CHECK_IN_OVERRIDE = "check in override", _("Checked the household in despite a refusal, with a reason")
    SIGNIN_FAILED = "sign-in failed", _("Failed to sign in (wrong password or code, or locked)")
    ACCOUNT_LOCKED = "account locked", _("Account locked after too many wrong sign-ins")
    ACCOUNT_UNLOCKED = "account unlocked", _("Unlocked a staff account")
    VIEW_SECURITY = "view security page", _("Looked at the security page")
    SHARE_HOUSEHOLD = "share household", _("Let an organisation see the household")
    STOP_SHARING = "stop sharing", _("Stopped letting an organisation see the household")


def audit_action_choices() -> "list[tuple[str, StrPromise]]":
    """A callable, so adding an action needs no migration (the migration names this function)."""
    return AuditAction.choices


class AuditEntry(models.Model):
    """Who looked at or changed which household, and when. The database refuses edits and deletes.

    Written only through shared.audit.record(), inside the transaction of the change it records."""

    # Empty when the household's own applicant acted (sharing it or stopping): they are not staff users.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=40, choices=audit_action_choices)
    household_reference = models.CharField(max_length=16, blank=True, db_index=True)
    # Named values (person, port, typed reason), shown through a translated template per action
    # (shared.audit_details). Rows from before it have English text in `detail` instead.
    values = models.JSONField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"
        db_table = "staff_auditentry"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.household_reference}"

    def describe(self) -> "SafeString":
        """What was done, with its details, in the reader's language (HTML)."""
        from shared.audit_details import describe

        return describe(self.action, self.values, self.detail)


class RateCounter(models.Model):
    """One count of a limit in shared.ratelimit.LIMITS, in a fixed time window."""

    key = models.CharField(max_length=120, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "registrations_ratecounter"

    def __str__(self) -> str:
        return self.key.split(":")[0]


class IdempotencyKey(models.Model):
    """A submit already applied: sending it again returns the same result."""

    scope = models.CharField(max_length=64)
    key = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    result_url = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key")]
        db_table = "registrations_idempotencykey"

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"


class OutboundMessage(models.Model):
    """Every message sent to an applicant, kept so the default backend is a real outbox."""

    channel = models.CharField(max_length=10)
    address = EncryptedCharField(max_length=254)
    address_index = models.CharField(max_length=64, db_index=True, default="")
    subject = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "registrations_outboundmessage"

    def __str__(self) -> str:
        return f"{self.channel} message {self.pk}"
