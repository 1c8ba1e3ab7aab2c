"""Staff roles, authenticator apps, the help desk and notices. Organisations and what each may see
are in registrations.models (a household decides whom it shares itself with); the audit log is in shared."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrations.models import Organisation
from shared.encryption import EncryptedTextField


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


class AuthenticatorApp(TOTPDevice):
    """A staff member's authenticator app (django-otp's TOTP device), named in the reader's
    language on the operators' admin: django-otp names it "TOTP device" in English only."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")


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
