"""Help-desk tickets and notices: each change applied once per resend key, like a registration.

A staff member on a shelter's weak connection presses "Send" again when the page hangs; the
second submit carries the same key (shared.idempotency) and gets the first one's result
instead of a second ticket, reply, notice or comment.
"""

from django.contrib.auth.models import User
from django.urls import reverse

from registrations.models import Organisation
from shared import idempotency
from staff.models import HelpTicket, Notice, NoticeComment, TicketReply


def _scope(actor: User) -> str:
    return f"staff:{actor.pk}"


def open_ticket(actor: User, organisation: Organisation, data: dict, key: str, request_hash: str) -> str:
    """An NGO tells the operators about a problem; returns the ticket's page."""

    def apply() -> str:
        ticket = HelpTicket.objects.create(organisation=organisation, author=actor, **data)
        return reverse("staff_ticket", args=[ticket.pk])

    return idempotency.run_once(_scope(actor), key, request_hash, apply)


def reply_to_ticket(actor: User, ticket: HelpTicket, body: str, by_operator: bool, key: str, request_hash: str) -> str:
    """A reply from an operator answers the ticket; one from the NGO opens it again."""

    def apply() -> str:
        TicketReply.objects.create(ticket=ticket, author=actor, body=body)
        status = HelpTicket.Status.ANSWERED if by_operator else HelpTicket.Status.OPEN
        HelpTicket.objects.filter(pk=ticket.pk).update(status=status)
        return reverse("staff_ticket", args=[ticket.pk])

    return idempotency.run_once(_scope(actor), key, request_hash, apply)


def publish_notice(actor: User, data: dict, key: str, request_hash: str) -> str:
    """An operator tells the NGOs about a change before it takes effect."""

    def apply() -> str:
        notice = Notice.objects.create(author=actor, **data)
        return reverse("staff_notice", args=[notice.pk])

    return idempotency.run_once(_scope(actor), key, request_hash, apply)


def comment_on_notice(actor: User, notice: Notice, body: str, key: str, request_hash: str) -> str:
    def apply() -> str:
        NoticeComment.objects.create(notice=notice, author=actor, body=body)
        return reverse("staff_notice", args=[notice.pk])

    return idempotency.run_once(_scope(actor), key, request_hash, apply)
