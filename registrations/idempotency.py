"""Submits that are safe to send again.

Every form that creates or changes something carries a key made when the form was shown.
The first submit with a key stores the key beside its effect, in the same transaction; any
later submit with the same key and the same content gets the stored result back and changes
nothing. The same key with different content is refused: it is a different request.
"""

import hashlib
import json
from collections.abc import Iterable

from django.db import IntegrityError, transaction

from registrations.models import IdempotencyKey

IGNORED_FIELDS = {"csrfmiddlewaretoken", "idempotency_key"}


class KeyReused(Exception):
    """The key was already used for a different request."""


def payload_hash(items: Iterable[tuple[str, str]]) -> str:
    cleaned = sorted((k, v) for k, v in items if k not in IGNORED_FIELDS)
    return hashlib.sha256(json.dumps(cleaned, ensure_ascii=False).encode()).hexdigest()


def previous_result(scope: str, key: str, request_hash: str) -> str | None:
    """The stored result of this submit, if it was applied already."""
    stored = IdempotencyKey.objects.filter(scope=scope, key=key).first()
    if stored is None:
        return None
    if stored.request_hash != request_hash:
        raise KeyReused
    return stored.result_url


def claim(scope: str, key: str, request_hash: str) -> IdempotencyKey | str:
    """Inside the caller's transaction: claim the key, or return the earlier result.

    A concurrent submit of the same key waits on the unique index until the first commits,
    then sees its result; if the first rolled back, the second proceeds.
    """
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(scope=scope, key=key, request_hash=request_hash)
    except IntegrityError:
        result = previous_result(scope, key, request_hash)
        if result is None:
            raise
        return result


def record(claimed: IdempotencyKey, result_url: str) -> str:
    claimed.result_url = result_url
    claimed.save(update_fields=["result_url"])
    return result_url
