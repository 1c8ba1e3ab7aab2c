"""Pluggable delivery of codes and messages to phones and email addresses.

The default backend keeps every message in the database outbox and prints it to the
console, so development and tests see exactly what would be sent. A real SMS, voice or
email provider is a class with the same ``send`` method, named in MESSAGE_BACKEND.
"""

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from registrations.addresses import mask_address
from registrations.encryption import blind_index
from registrations.models import OutboundMessage

logger = logging.getLogger(__name__)


class MessageBackend(Protocol):
    def send(self, *, channel: str, address: str, subject: str, body: str) -> None: ...


class DatabaseBackend:
    """Writes to the outbox table and the console; sends nothing outside."""

    def send(self, *, channel: str, address: str, subject: str, body: str) -> None:
        OutboundMessage.objects.create(
            channel=channel, address=address, address_index=blind_index("address", address), subject=subject, body=body
        )
        print(f"[{channel} to {mask_address(address)}] {body}", flush=True)  # never a whole phone in logs


def channel_for(address: str) -> str:
    return "email" if "@" in address else "sms"


def send_message(address: str, body: str, subject: str = "") -> None:
    backend: MessageBackend = import_string(settings.MESSAGE_BACKEND)()
    backend.send(channel=channel_for(address), address=address, subject=subject, body=body)
