"""Letters issued, kept so they can be listed, reprinted and audited."""

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
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["appointment"], condition=models.Q(appointment__isnull=False), name="one_letter_per_appointment"
            )
        ]

    def __str__(self) -> str:
        return f"Letter {self.pk} for household {self.household_id}"
