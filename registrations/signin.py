"""Sign-in with a one-time code, and recovery codes for a lost phone.

The answers never depend on whether an address already has an account: anyone may sign in,
and a first sign-in simply makes the account. Codes are kept only as keyed hashes.
"""

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from registrations.models import Applicant, Household, RecoveryCode, SecurityAlert, SigninCode
from shared import ratelimit
from shared.addresses import mask_address
from shared.messaging import send_message

RECOVERY_ALPHABET = "34679ACDEFGHJKMNPQRTWXY"


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


def _session_hash(session_token: str | None) -> str:
    """The code's binding to the session that asked; "" for a code the phone asked for by text."""
    return _hash(f"session:{session_token}") if session_token else ""


def request_code(
    address: str, *, session_token: str | None, client: str, purpose: str = SigninCode.Purpose.SIGNIN
) -> None:
    """Send a new code that works only in the session that asked for it (or, asked for by a text
    from the phone itself, in any session, with wrong tries counted per session).

    One connection may ask for "codes-sent" codes to an address in an hour; all connections
    together for "codes-sent-all", past which operators are told the phone is under attack.
    """
    index = Applicant.index_of(address)
    mine = ratelimit.peek("codes-sent", f"{index}|{client}")
    if mine.refused:
        raise SigninRefused(
            _(
                "We have sent %(count)s codes to this address in the last hour. Use the last code we sent, "
                "or ask for a new code in %(minutes)s minutes."
            )
            % {"count": mine.limit, "minutes": mine.minutes}
        )
    everyone = ratelimit.count("codes-sent-all", index)
    if everyone.refused:
        if everyone.used == everyone.limit + 1:
            _alert(SecurityAlert.Kind.CODES, Household.objects.filter(applicant__address_index=index).first(), address)
        raise SigninRefused(
            _(
                "Many codes were asked for this phone or email in the last hour, more than one person "
                "needs. To protect it we send no more for %(minutes)s minutes. Sign in with a recovery "
                "code, or ask an NGO for help."
            )
            % {"minutes": everyone.minutes}
        )
    ratelimit.count("codes-sent", f"{index}|{client}")
    now = timezone.now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    SigninCode.objects.create(
        address_index=index,
        purpose=purpose,
        code_hash=_hash(f"{address}:{code}"),
        session_hash=_session_hash(session_token),
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


def _alert(kind: str, household: Household | None, address: str = "") -> None:
    """Tell operators (the security page) that strangers are trying someone's sign-in."""
    SecurityAlert.objects.create(
        kind=kind,
        household_reference=household.reference if household else "",
        masked_address=mask_address(address) if address else "",
    )


def check_code(address: str, code: str, session_token: str, purpose: str = SigninCode.Purpose.SIGNIN) -> None:
    """Accept the latest code this session asked for, or raise SigninRefused saying why.

    Codes asked for in another session never match here, so a stranger's wrong tries cannot
    use up the owner's code. A wrong try is counted before the refusal is raised.
    """
    refusal = _use_code(address, code, session_token, purpose)
    if refusal:
        raise SigninRefused(refusal)


@transaction.atomic
def _use_code(address: str, code: str, session_token: str, purpose: str) -> str | None:
    now = timezone.now()
    mine = _session_hash(session_token)
    latest = (
        SigninCode.objects.select_for_update()
        .filter(
            address_index=Applicant.index_of(address),
            purpose=purpose,
            session_hash__in=[mine, ""],
            used_at__isnull=True,
        )
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        return _("This code does not work. Ask for a new code.")
    if latest.expires_at <= now:
        return _("This code has expired. Codes work for %(minutes)s minutes. Ask for a new code.") % {
            "minutes": settings.SIGNIN_CODE_TTL_SECONDS // 60
        }
    # A code asked for by text works in any session: each session has its own tries, and all of
    # them together "code-tries-texted", so guessing from many sessions cannot go on.
    texted = not latest.session_hash
    tries = f"{latest.pk}|{mine}" if texted else str(latest.pk)
    tried = ratelimit.peek("code-tries", tries, now)
    too_many = _("You have entered a wrong code %(count)s times. Ask for a new code.") % {"count": tried.limit}
    if tried.refused or (texted and ratelimit.peek("code-tries-texted", str(latest.pk), now).refused):
        return too_many
    if not hmac.compare_digest(latest.code_hash, _hash(f"{address}:{code}")):
        if texted:
            ratelimit.count("code-tries-texted", str(latest.pk), now)
        tried = ratelimit.count("code-tries", tries, now)
        if tried.left == 0:
            return too_many
        return _("This code is not right. Check the last message we sent. You can try %(left)s more times.") % {
            "left": tried.left
        }
    latest.used_at = now
    latest.save(update_fields=["used_at"])
    return None


def sign_in_with_code(address: str, code: str, session_token: str, language: str) -> SigninResult:
    """Check the code; a first sign-in makes the account and its recovery codes."""
    check_code(address, code, session_token)
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


def sign_in_with_recovery_code(reference: str, code: str, client: str) -> Applicant:
    """A lost phone: the household reference and one unused recovery code sign in once.

    Wrong tries are limited per reference and connection, so a stranger elsewhere cannot block
    the household; many wrong tries from everywhere tell operators instead of blocking.
    """
    now = timezone.now()
    mine = f"{reference}|{client}"
    blocked = ratelimit.peek("recovery-tries", mine, now)
    if blocked.refused:
        raise SigninRefused(
            _(
                "Too many wrong tries for this reference from this connection. Wait %(minutes)s minutes, "
                "or ask an NGO for help."
            )
            % {"minutes": blocked.minutes}
        )
    raw = "".join(ch for ch in code.upper() if ch.isalnum())
    with transaction.atomic():
        household = Household.objects.filter(reference=reference).select_related("applicant").first()
        applicant = household.applicant if household is not None else None
        match = None
        if applicant is not None:
            match = (
                RecoveryCode.objects.select_for_update()
                .filter(applicant=applicant, code_hash=_hash(raw), used_at__isnull=True)
                .first()
            )
        if match is not None and applicant is not None:
            match.used_at = now
            match.save(update_fields=["used_at"])
            end_sessions(applicant)  # the lost phone is signed out; this one signs in fresh
            return applicant
    ratelimit.count("recovery-tries", mine, now)
    everyone = ratelimit.count("recovery-tries-all", reference, now)
    if everyone.used == everyone.limit + 1 and household is not None:
        _alert(SecurityAlert.Kind.RECOVERY, household)
    raise SigninRefused(
        _(
            "This reference and recovery code do not match. Check both and try again. "
            "Each recovery code works only once."
        )
    )


def move_account(applicant: Applicant, new_address: str, code: str, session_token: str) -> None:
    """Move the account to a new phone or email, once a code sent there is confirmed."""
    check_code(new_address, code, session_token, purpose=SigninCode.Purpose.MOVE)
    with transaction.atomic():
        if Applicant.objects.filter(address_index=Applicant.index_of(new_address)).exclude(pk=applicant.pk).exists():
            raise SigninRefused(
                _(
                    "This phone or email already signs in to another account. Use a different one, "
                    "or ask an NGO for help."
                )
            )
        old_address = applicant.address
        applicant.address = new_address
        applicant.save(update_fields=["address"])
        end_sessions(applicant)
        if old_address and old_address != new_address:
            notify_old_address(old_address, applicant.language)


def notify_old_address(address: str, language: str) -> None:
    """The phone or email that no longer signs in is told so, without names or reference (it may be stolen)."""
    with translation.override(language):
        body = _(
            "Cita: this phone or email no longer signs in to a Cita account. If you did not ask for this, go to an NGO."
        )
    send_message(address, body, kind="signin_moved")


def end_sessions(applicant: Applicant) -> None:
    """End every session of the account at once (their stamp is now old); the caller re-stamps its own."""
    Applicant.objects.filter(pk=applicant.pk).update(session_version=F("session_version") + 1)
    applicant.refresh_from_db(fields=["session_version"])
