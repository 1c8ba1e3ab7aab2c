"""Letters issued, kept so they can be listed, reprinted, revoked and audited."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Letter(models.Model):
    class Case(models.TextChoices):
        APPOINTMENT = "", _("Appointment")
        CHILD = "child", _("Child travelling alone")
        MEXICAN = "mexican", _("Mexican national")
        RISK = "risk", _("Approved as at imminent risk")

    household = models.ForeignKey("registrations.Household", on_delete=models.CASCADE, related_name="letters")
    appointment = models.ForeignKey("allocation.Appointment", on_delete=models.CASCADE, null=True, blank=True)
    case = models.CharField(max_length=10, choices=Case.choices, blank=True)
    signed = models.TextField(help_text="Statement, key id and signature, as in the QR code.")
    # Named in the signed statement and in the public revocation list (empty on CITA1 letters).
    serial = models.CharField(max_length=16, blank=True, db_index=True)
    # Indexed: the revocation list reads only letters still inside their period.
    valid_until = models.DateTimeField(null=True, blank=True, db_index=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Kept for staff only: the public answer says "revoked" and the date, never why.
    revoke_reason = models.CharField(max_length=500, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"],
                condition=models.Q(appointment__isnull=False, revoked_at__isnull=True),
                name="one_current_letter_per_appointment",
            ),
            models.UniqueConstraint(fields=["serial"], condition=~models.Q(serial=""), name="unique_letter_serial"),
        ]

    def __str__(self) -> str:
        return f"Letter {self.serial or self.pk} for household {self.household_id}"


class ExemptionRequest(models.Model):
    """NGO staff ask for an exemption letter; another person, an operator, approves or declines it.
    Only an approval signs a letter, so no one can make a valid exemption letter alone."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Waiting for an operator")
        APPROVED = "approved", _("Approved: letter signed")
        DECLINED = "declined", _("Declined")

    household = models.ForeignKey(
        "registrations.Household", on_delete=models.CASCADE, related_name="exemption_requests"
    )
    case = models.CharField(max_length=10, choices=[c for c in Letter.Case.choices if c[0]])
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=500, blank=True)
    letter = models.OneToOneField(Letter, on_delete=models.SET_NULL, null=True, blank=True, related_name="request")

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "case"],
                condition=models.Q(status="requested"),
                name="one_open_exemption_request_per_case",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_case_display()} for household {self.household_id} ({self.get_status_display()})"
