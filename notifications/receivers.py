"""Messages other apps ask for (sign-in codes) enter the outbox here."""

import secrets

from registrations.models import Applicant, Household
from shared.messaging import message_requested


def _household_of(address: str) -> Household | None:
    """The household this address signs in to, so a code that does not arrive can go to its email."""
    return Household.objects.filter(applicant__address_index=Applicant.index_of(address)).first()


def on_message_requested(sender, *, address: str, body: str, subject: str, kind: str, urgent: bool, **kwargs) -> None:
    from notifications.outbox import enqueue

    enqueue(
        address=address,
        body=body,
        subject=subject,
        kind=kind,
        urgent=urgent,
        household=_household_of(address),
        event_key=f"{kind}:{secrets.token_hex(12)}",  # each request is its own event
    )


def connect() -> None:
    message_requested.connect(on_message_requested, dispatch_uid="notifications.outbox")
