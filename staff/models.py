"""Organisations, staff roles, what each organisation may see, and the audit log."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from shared.encryption import EncryptedTextField

if TYPE_CHECKING:
    from django.utils.safestring import SafeString
    from django_stubs_ext import StrPromise


class Organisation(models.Model):
    """An NGO whose staff help people register and ask for help."""

    name = models.CharField(max_length=200, unique=True)
    city = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return self.name


class StaffProfile(models.Model):
    class Role(models.TextChoices):
        NGO = "ngo", _("NGO staff")
        OPERATOR = "operator", _("Operator")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile")
    role = models.CharField(max_length=10, choices=Role.choices)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="operator", organisation__isnull=True)
                | models.Q(role="ngo", organisation__isnull=False),
                name="ngo_staff_belong_to_an_organisation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def is_operator(self) -> bool:
        return self.role == self.Role.OPERATOR


class OrganisationHousehold(models.Model):
    """An organisation may see a household it registered, or one the applicant shared with it."""

    class Reason(models.TextChoices):
        REGISTERED = "registered", _("Registered by this organisation")
        SHARED = "shared", _("Shared by the household")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="household_links")
    household = models.ForeignKey(
        "registrations.Household", on_delete=models.CASCADE, related_name="organisation_links"
    )
    reason = models.CharField(max_length=10, choices=Reason.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "household"], name="one_link_per_org_household")]

    def __str__(self) -> str:
        return f"{self.organisation} – household {self.household_id}"


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


class AuthenticatorApp(TOTPDevice):
    """A staff member's authenticator app (django-otp's TOTP device), named in the reader's
    language on the operators' admin: django-otp names it "TOTP device" in English only."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")


class AuditEntry(models.Model):
    """Who looked at or changed which household, and when. The database refuses edits and deletes.

    Written only through staff.audit.record(), inside the transaction of the change it records."""

    # Empty when the household's own applicant acted (sharing it or stopping): they are not staff users.
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True)
    action = models.CharField(max_length=40, choices=audit_action_choices)
    household_reference = models.CharField(max_length=16, blank=True, db_index=True)
    # Named values (person, port, typed reason), shown through a translated template per action
    # (staff.audit_details). Rows from before it have English text in `detail` instead.
    values = models.JSONField(null=True, blank=True)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.get_action_display()} {self.household_reference}"

    def describe(self) -> "SafeString":
        """What was done, with its details, in the reader's language (HTML)."""
        from staff.audit_details import describe

        return describe(self.action, self.values, self.detail)


class HelpTicket(models.Model):
    """A problem someone has with the app, reported by NGO staff to the operators."""

    class Category(models.TextChoices):
        SIGN_IN = "signin", _("Cannot sign in")
        REGISTRATION = "registration", _("Problem registering")
        DUPLICATE = "duplicate", _("Person registered in the wrong household")
        APPOINTMENT = "appointment", _("Problem with an appointment")
        LANGUAGE = "language", _("Language or reading")
        OTHER = "other", _("Something else")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tickets")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=14, choices=Category.choices)
    description = EncryptedTextField(max_length=2000)
    device = models.CharField(max_length=100, blank=True)
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_category_display()} ({self.organisation})"


class TicketReply(models.Model):
    ticket = models.ForeignKey(HelpTicket, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Reply {self.pk} to ticket {self.ticket_id}"


class Notice(models.Model):
    """An upcoming change, told to NGOs before it takes effect."""

    title = models.CharField(max_length=200)
    body = models.TextField(max_length=4000)
    takes_effect_on = models.DateField()
    affects = models.CharField(max_length=200, help_text="Who is affected.")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["takes_effect_on"]

    def __str__(self) -> str:
        return self.title


class NoticeComment(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"Comment {self.pk} on {self.notice_id}"
