"""Staff sign-in: one answer for every failure, a lock per account, every failure audited.

A wrong password and a right password with a wrong code look the same from outside, so the
second factor stays a second factor. Limits are `staff-login` (per connection) and
`staff-account` (per account) in shared.ratelimit.LIMITS.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shared import ratelimit
from shared.audit import record
from shared.models import AuditAction

logger = logging.getLogger(__name__)

REFUSED = _(
    "The username, password or code is not right, or the account is locked after too many wrong "
    "tries. Check them and try again. An operator can unlock the account."
)


def account_named(username: str) -> User | None:
    return get_user_model().objects.filter(username=username).first()


def may_try(username: str, client: str) -> bool:
    """Count this try against the connection; refuse it when the connection or account is over."""
    connection = ratelimit.count("staff-login", client)
    account = account_named(username)
    locked = account is not None and ratelimit.peek("staff-account", str(account.pk)).refused
    return not (connection.refused or locked)


@transaction.atomic
def record_failure(username: str) -> None:
    """Count a failed sign-in against the account and audit it; the last one allowed locks it."""
    account = account_named(username)
    if account is None:
        logger.warning("Staff sign-in failed for a username that has no account")
        return
    verdict = ratelimit.count("staff-account", str(account.pk))
    record(account, AuditAction.SIGNIN_FAILED, attempt=verdict.used)
    if verdict.used == verdict.limit:
        record(account, AuditAction.ACCOUNT_LOCKED, tries=verdict.used)


def locked_accounts() -> list[User]:
    ids = ratelimit.over_limit("staff-account")
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


@transaction.atomic
def unlock(operator: User, account: User) -> None:
    """An operator lets a locked account sign in again."""
    ratelimit.reset("staff-account", str(account.pk))
    record(operator, AuditAction.ACCOUNT_UNLOCKED, account=account.get_username())
