"""Phone numbers and email addresses as typed on a phone, made comparable."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Applicants are in Mexico: a 10-digit number without a country code is a Mexican number.
DEFAULT_COUNTRY_CODE = "52"
PHONE_PUNCTUATION = re.compile(r"[\s\-().]")


def normalise_address(text: str) -> str:
    """Return a phone as +digits or an email in lower case; raise ValidationError otherwise."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Enter your phone number or email address"))
    if "@" in text:
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("Enter an email address like name@example.com, or a phone number")) from None
        return email
    compact = PHONE_PUNCTUATION.sub("", text)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact.removeprefix("+")
    if not digits.isascii() or not digits.isdigit() or not 10 <= len(digits) <= 15:
        raise ValidationError(
            _("Enter a phone number with 10 to 15 digits, like +52 868 123 4567, or an email address")
        )
    if not compact.startswith("+") and len(digits) == 10:
        digits = DEFAULT_COUNTRY_CODE + digits
    return "+" + digits


def mask_address(address: str) -> str:
    """Show enough of an address for its owner to recognise it, no more."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••{address[-4:]}"
