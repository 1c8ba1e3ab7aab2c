"""Submits that are safe to send again.

Every form that creates or changes something carries a key made when the form was shown.
`run_once` claims the key in its own short transaction, then applies the submit holding the
key's row lock and stores the result's URL beside the key in the same transaction as the
effect. Then:

- a resend after the first finished gets the stored result and changes nothing;
- a resend while the first is still being applied is told so (`KeyInFlight`, answered 409)
  instead of queueing behind it: a phone on a bad line resends quickly, and a worker stuck
  waiting on a lock serves no one else;
- a key whose first submit failed (a duplicate person, a database error) is released, so the
  corrected form can be sent with it;
- a key left claimed by a worker that died is taken over by the next resend: on PostgreSQL at
  once (the dead worker's row lock is gone), on SQLite after IN_FLIGHT_TIMEOUT;
- the same key with different content is refused (`KeyReused`, answered 422): it is a
  different request.

Keys are kept IDEMPOTENCY_KEY_RETENTION_DAYS (phones stay offline for days), then purged.
"""

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import DatabaseError, OperationalError, connection, transaction
from django.utils import timezone

from shared.models import IdempotencyKey

KEY_FIELD = "idempotency_key"
IGNORED_FIELDS = {"csrfmiddlewaretoken", KEY_FIELD}
# What a key the page made can look like (uuid4 hex today); anything else is not a key.
USABLE_KEY = re.compile(r"[A-Za-z0-9_.:-]{1,64}")

# SQLite only (no row locks): longer than any request may run (gunicorn's default timeout is
# 30 s), so a claim older than this without a result belongs to a worker that was killed.
IN_FLIGHT_TIMEOUT = dt.timedelta(seconds=60)
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for FOR UPDATE NOWAIT on a locked row


class KeyReused(Exception):
    """The key was already used for a different request."""


class KeyInFlight(Exception):
    """The first submit with this key is still being applied."""


def new_key() -> str:
    return uuid.uuid4().hex


def sent_key(data) -> str:
    """The resend key a form carried, or a new one: a missing, overlong or odd value is no key
    (it would be refused by the database, and no page of ours ever made it)."""
    key = data.get(KEY_FIELD, "")
    return key if isinstance(key, str) and USABLE_KEY.fullmatch(key) else new_key()


def payload_hash(items: Iterable[tuple[str, str]]) -> str:
    cleaned = sorted((k, v) for k, v in items if k not in IGNORED_FIELDS)
    return hashlib.sha256(json.dumps(cleaned, ensure_ascii=False).encode()).hexdigest()


def run_once(scope: str, key: str, request_hash: str, apply: Callable[[], str]) -> str:
    """Apply a submit once per key and return the URL (or reference) of its result.

    `apply` runs inside a transaction that holds the key's row lock, and returns what a resend
    should get back.
    """
    if not USABLE_KEY.fullmatch(key):
        key = new_key()  # applied once, like a submit from a page that made no key
    for _ in range(3):  # a first submit that failed may free the key between our insert and our read
        mine = _insert(scope, key, request_hash)
        try:
            with transaction.atomic():
                claim = _lock(scope, key, wait=mine)
                if claim is None:
                    continue
                if claim.request_hash != request_hash:
                    raise KeyReused
                if claim.result_url:
                    return claim.result_url
                if not mine and not claim.abandoned:
                    raise KeyInFlight
                result_url = apply()
                _finish(claim.pk, result_url)
                return result_url
        except (KeyReused, KeyInFlight):
            raise
        except BaseException:
            _release(scope, key)
            raise
    raise KeyInFlight


def earlier_result(scope: str, key: str) -> str | None:
    """What a finished submit with this key answered, for a resend that arrives after the fact."""
    finished = IdempotencyKey.objects.filter(scope=scope, key=key).exclude(result_url="")
    return finished.values_list("result_url", flat=True).first()


# The three statements every submit makes, written out: the ORM would build the same SQL on every
# submit, and a busy form (registration after an announcement, issue 18) pays for that Python.
# PostgreSQL and SQLite (3.35+) both take them; the table is IdempotencyKey's (shared.models).
_CLAIM_SQL = (
    'INSERT INTO "registrations_idempotencykey" ("scope", "key", "request_hash", "result_url", "created_at") '
    'VALUES (%s, %s, %s, \'\', %s) ON CONFLICT ("scope", "key") DO NOTHING RETURNING "id"'
)
_LOCK_SQL = (
    'SELECT "id", "request_hash", "result_url", "created_at" <= %s FROM "registrations_idempotencykey" '
    'WHERE "scope" = %s AND "key" = %s'
)
_FINISH_SQL = 'UPDATE "registrations_idempotencykey" SET "result_url" = %s WHERE "id" = %s'


@dataclass(frozen=True)
class Claim:
    pk: int
    request_hash: str
    result_url: str
    abandoned: bool  # a claim with no result that nobody is applying (see _lock)


def _insert(scope: str, key: str, request_hash: str) -> bool:
    """Claim the key, committed at once (one statement, outside any transaction of ours); False if it
    was claimed before."""
    created = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_CLAIM_SQL, [scope, key, request_hash, created])
        return cursor.fetchone() is not None


def _lock(scope: str, key: str, wait: bool) -> Claim | None:
    """The claim, row-locked until our transaction ends. A resend does not wait for the lock:
    whoever holds it is applying the submit right now.

    A claim with no result counts as abandoned when its worker died or failed and could not free it.
    With row locks (PostgreSQL) we hold its lock now, so its worker is gone. SQLite has no row
    locks: there a claim counts as abandoned once it is older than any request may run.
    """
    sql = _LOCK_SQL
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE" if wait else " FOR UPDATE NOWAIT"
    stale = connection.ops.adapt_datetimefield_value(timezone.now() - IN_FLIGHT_TIMEOUT)
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql, [stale, scope, key])
            row = cursor.fetchone()
    except OperationalError as error:
        if getattr(error.__cause__, "sqlstate", None) == LOCK_NOT_AVAILABLE:
            raise KeyInFlight from error
        raise
    if row is None:
        return None
    pk, request_hash, result_url, old = row
    return Claim(pk, request_hash, result_url, bool(connection.features.has_select_for_update_nowait or old))


def _finish(pk: int, result_url: str) -> None:
    """Store the result beside the key, in the transaction of the effect."""
    with connection.cursor() as cursor:
        cursor.execute(_FINISH_SQL, [result_url, pk])


def _release(scope: str, key: str) -> None:
    """Free a key whose submit failed; if the database is gone too, the claim is taken over later."""
    try:
        IdempotencyKey.objects.filter(scope=scope, key=key, result_url="").delete()
    except DatabaseError:
        pass
