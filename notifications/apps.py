"""The outbox: messages to households (SMS, email, in app), delivered with retries, and texts
that phones send back.

A separate app because delivery is its own concern: it runs from a sender loop, talks to outside
gateways through a pluggable backend, and must never send twice for one event.
"""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from notifications.receivers import connect

        connect()
