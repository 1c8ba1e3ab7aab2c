"""The duplicate-person key: who counts as the same person, stored as a keyed hash.

Two entries are the same person when their full names match once accents, case, spacing
and punctuation are ignored, and their birth date and nationality match. The key is an
HMAC with a secret setting, so the database never holds a readable name in it and the key
keeps working when names are encrypted at rest.
"""

import datetime as dt
import hashlib
import hmac
import unicodedata

from django.conf import settings

from shared.text import is_invisible


def normalise_name(given_names: str, family_names: str) -> str:
    text = unicodedata.normalize("NFKD", f"{given_names}{family_names}")
    kept = (ch for ch in text if ch.isalnum() and not unicodedata.combining(ch) and not is_invisible(ch))
    return "".join(kept).casefold()


def person_key(given_names: str, family_names: str, date_of_birth: dt.date, nationality: str) -> str:
    message = "|".join([normalise_name(given_names, family_names), date_of_birth.isoformat(), nationality.upper()])
    secret = settings.PERSON_KEY_SECRET.encode()
    return hmac.new(secret, message.encode(), hashlib.sha256).hexdigest()
