from django.db import models

from registrations.encryption import EncryptedCharField


class Notification(models.Model):
    """One message for one event. The event key is unique, so an event is never sent twice."""

    class Status(models.TextChoices):
        PENDING = "pending"
        SENT = "sent"
        FAILED = "failed"

    household = models.ForeignKey("registrations.Household", on_delete=models.CASCADE, related_name="notifications")
    event_key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20)
    channel = models.CharField(max_length=10)
    address = EncryptedCharField(max_length=254, blank=True)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(db_index=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.event_key}"


class DeliveryAttempt(models.Model):
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="delivery_attempts")
    attempted_at = models.DateTimeField(auto_now_add=True)
    succeeded = models.BooleanField()
    error = models.CharField(max_length=300, blank=True)

    def __str__(self) -> str:
        return f"Attempt {self.pk} of {self.notification_id}"
