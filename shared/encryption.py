"""Personal fields encrypted at rest (Fernet, with key rotation), and blind indexes to find them.

Why our own ~60 lines instead of django-fernet-encrypted-fields: that library derives its keys
from SECRET_KEY (so rotating the session key would orphan the data) and returns the ciphertext
unchanged when decryption fails, silently. Here the keys are their own setting, a wrong key
fails loudly, and `rotate_encryption_keys` re-encrypts everything under the newest key.

FIELD_ENCRYPTION_KEYS holds Fernet keys separated by commas, newest first; all of them can
decrypt (MultiFernet). Without the setting (development only) a key is derived from SECRET_KEY.
"""

import base64
import datetime as dt
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

NONCE_BYTES = 12


def _keys() -> list[str | bytes]:
    keys: list[str | bytes] = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        keys = [base64.urlsafe_b64encode(hashlib.sha256(f"cita-dev-field-key:{settings.SECRET_KEY}".encode()).digest())]
    return keys


@cache
def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in _keys()])


@cache
def _sealing() -> AESGCM:
    newest = base64.urlsafe_b64decode(_keys()[0])
    return AESGCM(HKDF(algorithm=SHA256(), length=32, salt=None, info=b"cita kept copies").derive(newest))


def seal(data: bytes, bound_to: bytes) -> bytes:
    """For copies the server keeps a short while (the status page): AES-GCM, one call each way. A Fernet
    decryption inside a request cost about 0.1 ms, a twentieth of a status page shown from its copy. The key
    comes from the newest field key, so a rotation leaves older copies unreadable (they are made again);
    `bound_to` names what the copy is of, and opening it as a copy of anything else fails."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _sealing().encrypt(nonce, data, bound_to)


def unseal(sealed: bytes, bound_to: bytes) -> bytes | None:
    """What seal() sealed for `bound_to`; None when it was sealed under another key or for something else."""
    try:
        return _sealing().decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)
    except InvalidTag:
        return None


def encrypt(text: str) -> str:
    return fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return fernet().decrypt(token.encode()).decode()


def blind_index(kind: str, value: str) -> str:
    """A keyed hash to find or group rows by a secret value without storing it readably."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.PERSON_KEY_SECRET.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; empty stays empty so "not given" needs no decryption."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(self.to_text(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.from_text(decrypt(value))

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def get_lookup(self, lookup_name):
        if lookup_name != "isnull":
            return None  # ciphertext cannot be searched: a query on it fails loudly; use a blind index
        return super().get_lookup(lookup_name)


class EncryptedCharField(EncryptedTextField):
    """Encrypted text with a length limit on the plain value (checked by forms and validation)."""

    def formfield(self, **kwargs):
        return models.CharField(max_length=self.max_length).formfield(**kwargs)


class EncryptedDateField(EncryptedTextField):
    # For django-stubs: the model attribute is a date, not the text stored.
    _pyi_private_set_type: dt.date | str  # type: ignore[assignment]
    _pyi_private_get_type: dt.date  # type: ignore[assignment]

    def to_text(self, value) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    def from_text(self, text: str) -> dt.date:
        return dt.date.fromisoformat(text)

    def to_python(self, value):
        if isinstance(value, str) and value:
            return dt.date.fromisoformat(value)
        return value
