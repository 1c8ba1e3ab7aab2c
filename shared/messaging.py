"""Handing codes and messages to the outbox, and the development delivery backend.

Registrations does not import the outbox (the notifications app depends on registrations, not
the other way round): `send_message` sends the `message_requested` signal, which the
notifications app connects to its outbox when it starts. The outbox then delivers through the
class named in MESSAGE_BACKEND: in development the database backend below, which keeps every
message in a table and prints it to the console; in production notifications.gateway.GatewayBackend
(Kannel for SMS, SMTP for email).
"""

from typing import Protocol

from django.core.exceptions import ImproperlyConfigured
from django.dispatch import Signal

from shared.addresses import mask_address
from shared.encryption import blind_index
from shared.models import OutboundMessage

message_requested = Signal()


class MessageBackend(Protocol):
    def send(self, *, channel: str, address: str, subject: str, body: str, message_id: str = "") -> None: ...


class DatabaseBackend:
    """Writes to a table and the console; sends nothing outside. For development and tests only."""

    local = True  # nothing to wait for: the outbox sends through it inline, even an urgent code
    # Codes reach the server log in clear: `check --deploy` refuses this backend (config/checks.py).
    development_only = True

    def send(self, *, channel: str, address: str, subject: str, body: str, message_id: str = "") -> None:
        OutboundMessage.objects.create(
            channel=channel, address=address, address_index=blind_index("address", address), subject=subject, body=body
        )
        print(f"[{channel} to {mask_address(address)}] {body}", flush=True)  # never a whole phone in logs


def channel_for(address: str) -> str:
    return "email" if "@" in address else "sms"


def send_message(address: str, body: str, subject: str = "", *, kind: str = "message", urgent: bool = False) -> None:
    """Put a message in the outbox; an urgent one (a sign-in code) is sent within a second or two."""
    if not message_requested.has_listeners():
        raise ImproperlyConfigured("No outbox receives messages: is the notifications app installed?")
    message_requested.send(sender=None, address=address, body=body, subject=subject, kind=kind, urgent=urgent)
