from django.db import models

from shared.encryption import EncryptedCharField, EncryptedTextField


class Notification(models.Model):
    """One message for one event: a sign-in code, an appointment message, a fallback, an answer by text.

    The event key is unique, so an event is never queued twice; the claim on a row (a conditional
    UPDATE) makes sure only one sender hands it to the gateway."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"  # claimed by a sender; if that sender dies, the claim runs out and it is retried
        SENT = "sent"
        FAILED = "failed"

    class Delivery(models.TextChoices):
        """What the gateway's delivery report said (SMS only; email has no reports)."""

        UNKNOWN = ""
        DELIVERED = "delivered"
        FAILED = "failed"
        EXPIRED = "expired"

    household = models.ForeignKey(
        "registrations.Household", on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    event_key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    address = EncryptedCharField(max_length=254, blank=True)
    address_index = models.CharField(max_length=64, blank=True, db_index=True)
    subject = models.CharField(max_length=200, blank=True)
    body = EncryptedTextField()
    urgent = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.UNKNOWN, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Set when this message stands in for one that did not arrive (by email, or through the NGO).
    fallback_for = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="fallbacks")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_key}"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    attempted_at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Attempt {self.pk} of {self.notification_id}"


class InboundMessage(models.Model):
    """A text a phone sent to Cita through the gateway, and the answer it got (kept in the outbox history)."""

    received_at = models.DateTimeField(auto_now_add=True, db_index=True)
    address = EncryptedCharField(max_length=254)
    address_index = models.CharField(max_length=64, db_index=True)
    body = EncryptedTextField()
    household = models.ForeignKey(
        "registrations.Household", on_delete=models.CASCADE, related_name="inbound_messages", null=True, blank=True
    )
    command = models.CharField(max_length=10, blank=True)
    answer = models.OneToOneField(Notification, on_delete=models.SET_NULL, null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"Inbound {self.pk} ({self.command or 'help'})"


class StoppedAddress(models.Model):
    """A phone that replied STOP: no more messages to it, except a code it asks for itself."""

    address_index = models.CharField(max_length=64, unique=True)
    stopped_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Stopped {self.pk}"
