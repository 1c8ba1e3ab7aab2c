"""Sign-in with a one-time code, and recovery codes for a lost phone.

The answers never depend on whether an address already has an account: anyone may sign in,
and a first sign-in simply makes the account. Codes are kept only as keyed hashes.
"""

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from registrations.messaging import send_message
from registrations.models import Applicant, Attempt, Household, RecoveryCode, SigninCode

RECOVERY_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
RECOVERY_FAILURES_PER_HOUR = 5


class SigninRefused(Exception):
    """A refusal, with the message that tells the person what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class SigninResult:
    applicant: Applicant
    new_recovery_codes: list[str]


def _hash(secret: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), secret.encode(), hashlib.sha256).hexdigest()


def recovery_code_hash(raw: str) -> str:
    """How a recovery code (letters and digits only, upper case) is kept."""
    return _hash(raw)


def request_code(address: str, purpose: str = SigninCode.Purpose.SIGNIN) -> None:
    """Send a new code, at most SIGNIN_CODES_PER_HOUR to one address in an hour. The outbox hands it
    to the gateway right after the request commits, without the page waiting for the gateway."""
    now = timezone.now()
    recent = list(
        SigninCode.objects.filter(address_index=Applicant.index_of(address), created_at__gt=now - dt.timedelta(hours=1))
        .order_by("created_at")
        .values_list("created_at", flat=True)
    )
    if len(recent) >= settings.SIGNIN_CODES_PER_HOUR:
        retry_at = recent[-settings.SIGNIN_CODES_PER_HOUR] + dt.timedelta(hours=1)
        minutes = max(1, math.ceil((retry_at - now).total_seconds() / 60))
        raise SigninRefused(
            _(
                "We have sent 3 codes to this address in the last hour. Use the last code we sent, "
                "or ask for a new code in %(minutes)s minutes."
            )
            % {"minutes": minutes}
        )
    code = f"{secrets.randbelow(1_000_000):06d}"
    SigninCode.objects.create(
        address_index=Applicant.index_of(address),
        purpose=purpose,
        code_hash=_hash(f"{address}:{code}"),
        created_at=now,
        expires_at=now + dt.timedelta(seconds=settings.SIGNIN_CODE_TTL_SECONDS),
    )
    minutes = settings.SIGNIN_CODE_TTL_SECONDS // 60
    send_message(
        address,
        _(
            "Your Cita code is %(code)s. It works for %(minutes)s minutes. Never share it: "
            "Cita staff will never ask for it."
        )
        % {"code": code, "minutes": minutes},
        subject=_("Your Cita code"),
        kind="signin-code",
        urgent=True,
    )


def check_code(address: str, code: str, purpose: str = SigninCode.Purpose.SIGNIN) -> None:
    """Accept the latest code sent to this address, or raise SigninRefused saying why.

    A wrong try is counted in its own committed transaction before the refusal is raised.
    """
    refusal = _use_code(address, code, purpose)
    if refusal:
        raise SigninRefused(refusal)


@transaction.atomic
def _use_code(address: str, code: str, purpose: str) -> str | None:
    now = timezone.now()
    latest = (
        SigninCode.objects.select_for_update()
        .filter(address_index=Applicant.index_of(address), purpose=purpose, used_at__isnull=True)
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        return _("This code does not work. Ask for a new code.")
    if latest.expires_at <= now:
        return _("This code has expired. Codes work for 10 minutes. Ask for a new code.")
    if latest.failed_attempts >= settings.SIGNIN_CODE_MAX_TRIES:
        return _("You have entered a wrong code 5 times. Ask for a new code.")
    if not hmac.compare_digest(latest.code_hash, _hash(f"{address}:{code}")):
        latest.failed_attempts += 1
        latest.save(update_fields=["failed_attempts"])
        left = settings.SIGNIN_CODE_MAX_TRIES - latest.failed_attempts
        if left == 0:
            return _("You have entered a wrong code 5 times. Ask for a new code.")
        return _("This code is not right. Check the last message we sent. You can try %(left)s more times.") % {
            "left": left
        }
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return None


def sign_in_with_code(address: str, code: str, language: str) -> SigninResult:
    """Check the code; a first sign-in makes the account and its recovery codes."""
    check_code(address, code)
    with transaction.atomic():
        applicant, created = Applicant.objects.get_or_create(
            address_index=Applicant.index_of(address), defaults={"address": address, "language": language}
        )
        applicant.last_signin_at = timezone.now()
        applicant.save(update_fields=["last_signin_at"])
        codes = issue_recovery_codes(applicant) if created else []
    return SigninResult(applicant=applicant, new_recovery_codes=codes)


def issue_recovery_codes(applicant: Applicant) -> list[str]:
    """Replace the applicant's recovery codes with new ones; return them to show once."""
    applicant.recovery_codes.all().delete()
    codes = []
    for _i in range(settings.RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _j in range(8))
        codes.append(f"{raw[:4]}-{raw[4:]}")
        RecoveryCode.objects.create(applicant=applicant, code_hash=_hash(raw))
    return codes


def sign_in_with_recovery_code(reference: str, code: str) -> Applicant:
    """A lost phone: the household reference and one unused recovery code sign in once."""
    now = timezone.now()
    bucket = f"recovery:{reference}"
    failures = Attempt.objects.filter(bucket=bucket, created_at__gt=now - dt.timedelta(hours=1)).count()
    if failures >= RECOVERY_FAILURES_PER_HOUR:
        raise SigninRefused(_("Too many wrong tries for this reference. Wait one hour, or ask an NGO for help."))
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    with transaction.atomic():
        household = Household.objects.filter(reference=reference).select_related("applicant").first()
        match = None
        if household is not None and household.applicant is not None:
            match = (
                RecoveryCode.objects.select_for_update()
                .filter(applicant=household.applicant, code_hash=_hash(raw), used_at__isnull=True)
                .first()
            )
        if match is not None:
            match.used_at = now
            match.save(update_fields=["used_at"])
            end_sessions(household.applicant)  # the lost phone is signed out; this one signs in fresh
            return household.applicant
    Attempt.objects.create(bucket=bucket, created_at=now)
    raise SigninRefused(
        _(
            "This reference and recovery code do not match. Check both and try again. "
            "Each recovery code works only once."
        )
    )


def move_account(applicant: Applicant, new_address: str, code: str) -> None:
    """Move the account to a new phone or email, once a code sent there is confirmed."""
    check_code(new_address, code, purpose=SigninCode.Purpose.MOVE)
    with transaction.atomic():
        if Applicant.objects.filter(address_index=Applicant.index_of(new_address)).exclude(pk=applicant.pk).exists():
            raise SigninRefused(
                _(
                    "This phone or email already signs in to another account. Use a different one, "
                    "or ask an NGO for help."
                )
            )
        applicant.address = new_address
        applicant.save(update_fields=["address"])
        end_sessions(applicant)


def end_sessions(applicant: Applicant) -> None:
    """End every session of the account at once (their stamp is now old); the caller re-stamps its own."""
    Applicant.objects.filter(pk=applicant.pk).update(session_version=F("session_version") + 1)
    applicant.refresh_from_db(fields=["session_version"])
