"""Phone numbers and email addresses as typed on a phone, made comparable: one phone, one identity.

Phones are parsed with the `phonenumbers` library (Google's libphonenumber metadata), so a number
is stored in one E.164 form however it was typed, and a number no phone can have is refused.
Mexico dropped its dialling prefixes in 2019 (044/045 for mobiles, 01 for long distance, and the
"1" after +52), but people still type them: they are the same phone, so they are taken off.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

# Applicants are in Mexico: a number without a country code is a Mexican number.
DEFAULT_REGION = "MX"
MEXICO = 52
PHONE_PUNCTUATION = re.compile(r"[\s\-().]")
MEXICAN_OLD_PREFIX = re.compile(r"(?:1|044|045|01)(\d{10})")


class NotAPhone(ValueError):
    """The text is not shaped like a phone number at all."""


class ImpossiblePhone(ValueError):
    """Shaped like a phone number, but no phone has it (wrong length, no such area code)."""


class AccentedEmail(ValueError):
    """Letters like é or ñ before the @: mail servers do not take them."""


class NotAnEmail(ValueError):
    """Not an email address."""


def parse_phone(text: str) -> str:
    """The phone in E.164 (+528681234567); NotAPhone or ImpossiblePhone otherwise."""
    compact = PHONE_PUNCTUATION.sub("", text.strip())
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    digits = compact.removeprefix("+")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > 17:
        raise NotAPhone
    try:
        number = phonenumbers.parse(compact, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ImpossiblePhone from None
    if number.country_code == MEXICO:
        old = MEXICAN_OLD_PREFIX.fullmatch(phonenumbers.national_significant_number(number))
        if old:
            number = phonenumbers.parse("+52" + old.group(1))
    if not phonenumbers.is_valid_number(number):
        raise ImpossiblePhone
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def parse_email(text: str) -> str:
    """The email in lower case; AccentedEmail or NotAnEmail otherwise."""
    email = text.strip().lower()
    local, at, _domain = email.rpartition("@")
    if at and local and not local.isascii():
        raise AccentedEmail
    try:
        validate_email(email)
    except ValidationError:
        raise NotAnEmail from None
    return email


def normalise_phone(text: str) -> str:
    """For a field that takes only a phone number."""
    try:
        return parse_phone(text)
    except NotAPhone:
        raise ValidationError(_("Enter a phone number like +52 868 123 4567, or leave it empty")) from None
    except ImpossiblePhone:
        raise ValidationError(_("This phone number cannot be right: check its digits and its country code")) from None


def normalise_email(text: str) -> str:
    """For a field that takes only an email address."""
    try:
        return parse_email(text)
    except AccentedEmail:
        raise ValidationError(_accented()) from None
    except NotAnEmail:
        raise ValidationError(_("Enter an email address like name@example.com, or leave it empty")) from None


def normalise_address(text: str) -> str:
    """For the sign-in field, which takes either: a phone as +digits or an email in lower case."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Enter your phone number or email address"))
    if "@" in text:
        try:
            return parse_email(text)
        except AccentedEmail:
            raise ValidationError(_accented()) from None
        except NotAnEmail:
            raise ValidationError(_("Enter an email address like name@example.com, or a phone number")) from None
    try:
        return parse_phone(text)
    except NotAPhone:
        raise ValidationError(_("Enter a phone number like +52 868 123 4567, or an email address")) from None
    except ImpossiblePhone:
        raise ValidationError(_("This phone number cannot be right: check its digits and its country code")) from None


def _accented() -> str:
    return _(
        "An email address cannot have accents or letters like ñ before the @. Write it as your email "
        "service shows it, for example jose@example.com"
    )


def mask_address(address: str) -> str:
    """Show enough of an address for its owner to recognise it, no more."""
    if "@" in address:
        name, _at, domain = address.partition("@")
        return f"{name[:1]}•••@{domain}"
    return f"•••{address[-4:]}"
