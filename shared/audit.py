"""The one way to write the audit log, so every row names an AuditAction and commits or rolls
back together with the change it records."""

from typing import Protocol

from django.contrib.auth.models import User

from shared import audit_details
from shared.models import AuditAction, AuditEntry


class Household(Protocol):
    """What the log keeps of a household: its reference (registrations.models.Household has it)."""

    reference: str


def record(actor: User | None, action: AuditAction, household: Household | None = None, **values: object) -> AuditEntry:
    """Write one audit row on the caller's connection: call it inside the transaction.atomic()
    that makes the change, so a change is never kept without its row, nor a row without its change.

    A look (a staff member opening a household) changes nothing and may be recorded on its own.
    The actor is None when the household's own applicant acted (they are not a staff user).
    An action that is not an AuditAction is refused (ValueError): no free text reaches the log.
    The values are the ones the action's template in shared.audit_details names, no more, no fewer
    (else ValueError), so every reader sees them in a sentence of their own language.
    """
    action = AuditAction(action)
    audit_details.check(action, values)
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        household_reference=household.reference if household else "",
        values=values or None,
    )
