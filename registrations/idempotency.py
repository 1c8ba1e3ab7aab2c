"""Submits that are safe to send again.

Every form that creates or changes something carries a key made when the form was shown.
`run_once` claims the key in its own short transaction, applies the submit, and stores the
result's URL beside the key in the same transaction as the effect. Then:

- a resend after the first finished gets the stored result and changes nothing;
- a resend while the first is still being applied is told so (`KeyInFlight`, answered 409)
  instead of queueing behind it: a phone on a bad line resends quickly, and a worker stuck
  waiting on a lock serves no one else;
- a key whose first submit failed (a duplicate person, a database error) is released, so the
  corrected form can be sent with it;
- a key left claimed by a worker that died is taken over after IN_FLIGHT_TIMEOUT;
- the same key with different content is refused (`KeyReused`, answered 422): it is a
  different request.

Keys are kept IDEMPOTENCY_KEY_RETENTION_DAYS (phones stay offline for days), then purged.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Iterable

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from registrations.models import IdempotencyKey

IGNORED_FIELDS = {"csrfmiddlewaretoken", "idempotency_key"}

# Longer than any request may run (gunicorn's default timeout is 30 s): a claim older than this
# without a result belongs to a worker that was killed.
IN_FLIGHT_TIMEOUT = dt.timedelta(seconds=60)


class KeyReused(Exception):
    """The key was already used for a different request."""


class KeyInFlight(Exception):
    """The first submit with this key is still being applied."""


def payload_hash(items: Iterable[tuple[str, str]]) -> str:
    cleaned = sorted((k, v) for k, v in items if k not in IGNORED_FIELDS)
    return hashlib.sha256(json.dumps(cleaned, ensure_ascii=False).encode()).hexdigest()


def run_once(scope: str, key: str, request_hash: str, apply: Callable[[], str]) -> str:
    """Apply a submit once per key and return the URL (or reference) of its result.

    `apply` runs inside a transaction and returns what a resend should get back.
    """
    stored = _claim(scope, key, request_hash)
    if stored is not None:
        return stored
    try:
        with transaction.atomic():
            result = apply()
            IdempotencyKey.objects.filter(scope=scope, key=key).update(result_url=result)
    except BaseException:
        _release(scope, key)
        raise
    return result


def _claim(scope: str, key: str, request_hash: str) -> str | None:
    """Claim the key (None), or return the stored result of the submit that used it."""
    for _ in range(3):  # the holder may release the key between our insert and our read
        try:
            with transaction.atomic():
                IdempotencyKey.objects.create(scope=scope, key=key, request_hash=request_hash)
            return None
        except IntegrityError:
            stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
        if stored is None:
            continue
        if stored.request_hash != request_hash:
            raise KeyReused
        if stored.result_url:
            return stored.result_url
        now = timezone.now()
        if stored.created_at > now - IN_FLIGHT_TIMEOUT:
            raise KeyInFlight
        taken = IdempotencyKey.objects.filter(pk=stored.pk, result_url="", created_at=stored.created_at)
        if taken.update(created_at=now):
            return None
    raise KeyInFlight


def _release(scope: str, key: str) -> None:
    """Free a key whose submit failed; if the database is gone too, the claim times out instead."""
    try:
        IdempotencyKey.objects.filter(scope=scope, key=key, result_url="").delete()
    except DatabaseError:
        pass
