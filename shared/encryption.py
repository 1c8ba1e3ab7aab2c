"""Personal fields encrypted at rest (AES-GCM, with key rotation), and blind indexes to find them.

Why our own ~100 lines instead of django-fernet-encrypted-fields: that library derives its keys
from SECRET_KEY (so rotating the session key would orphan the data) and returns the ciphertext
unchanged when decryption fails, silently. Here the keys are their own setting, a wrong key
fails loudly, and `rotate_encryption_keys` re-encrypts everything under the newest key.

FIELD_ENCRYPTION_KEYS holds Fernet-style keys (32 random bytes, base64) separated by commas, newest
first; all of them can decrypt. Without the setting (development only) a key is derived from SECRET_KEY.

Fields are written as `g1:` + base64(nonce, AES-256-GCM of the text padded to 16 bytes), under a key
derived (HKDF) from the newest setting key. Until 3 December 2026 they were Fernet tokens; those are
still read, and `rotate_encryption_keys` rewrites them. Why the change (issue #18): inside a busy request,
with the processor's caches full of other work, one Fernet call (padding, cipher and HMAC objects, base64)
measured 40-200 us, and registering a household of 4 makes 16; AES-GCM is one call with its key set up
once per process: a registration's CPU fell by about a quarter. The padding keeps what Fernet showed of
a value's length (its size to 16 bytes), no more. Nonces are random (96 bits): safe for 2**32 values under
one key, and a rush of 1,000,000 households of 4 writes 16,000,000.
"""

import base64
import datetime as dt
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models

NONCE_BYTES = 12
PREFIX = "g1:"  # not in Fernet's alphabet: an older token never starts with it
BLOCK = 16


@dataclass(frozen=True)
class _Keyring:
    fields: tuple[AESGCM, ...]  # newest first
    fernet: MultiFernet  # fields written before 3 December 2026
    sealing: AESGCM  # kept copies (seal/unseal), newest key only


def _derived(key: str | bytes, purpose: bytes) -> AESGCM:
    secret = base64.urlsafe_b64decode(key)
    return AESGCM(HKDF(algorithm=SHA256(), length=32, salt=None, info=purpose).derive(secret))


@lru_cache(maxsize=4)
def _keyring(keys: tuple[str | bytes, ...]) -> _Keyring:
    return _Keyring(
        fields=tuple(_derived(key, b"cita personal fields") for key in keys),
        fernet=MultiFernet([Fernet(key) for key in keys]),
        sealing=_derived(keys[0], b"cita kept copies"),
    )


def keyring() -> _Keyring:
    """The ciphers of the keys now in the settings (set up once per process and set of keys)."""
    keys = tuple(settings.FIELD_ENCRYPTION_KEYS) or (_development_key(settings.SECRET_KEY),)
    return _keyring(keys)


@lru_cache(maxsize=2)
def _development_key(secret_key: str) -> bytes:
    return base64.urlsafe_b64encode(hashlib.sha256(f"cita-dev-field-key:{secret_key}".encode()).digest())


def encrypt(text: str) -> str:
    data = text.encode()
    pad = BLOCK - len(data) % BLOCK  # 1 to 16 bytes, each saying how many
    data += bytes([pad]) * pad
    nonce = os.urandom(NONCE_BYTES)
    sealed = keyring().fields[0].encrypt(nonce, data, None)
    return PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode()


def decrypt(token: str) -> str:
    """The text; InvalidToken when no key in the settings opens it (a wrong key fails loudly)."""
    if not token.startswith(PREFIX):
        return keyring().fernet.decrypt(token.encode()).decode()
    raw = base64.urlsafe_b64decode(token[len(PREFIX) :])
    for cipher in keyring().fields:
        try:
            data = cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], None)
        except InvalidTag:
            continue
        return data[: -data[-1]].decode()
    raise InvalidToken


def seal(data: bytes, bound_to: bytes) -> bytes:
    """For copies the server keeps a short while (the status page): AES-GCM under a key derived from the newest
    field key, so a rotation leaves older copies unreadable (they are made again); `bound_to` names what the
    copy is of, and opening it as a copy of anything else fails."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce + keyring().sealing.encrypt(nonce, data, bound_to)


def unseal(sealed: bytes, bound_to: bytes) -> bytes | None:
    """What seal() sealed for `bound_to`; None when it was sealed under another key or for something else."""
    try:
        return keyring().sealing.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to)
    except InvalidTag:
        return None


def blind_index(kind: str, value: str) -> str:
    """A keyed hash to find or group rows by a secret value without storing it readably."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.PERSON_KEY_SECRET.encode(), message, hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """Text stored encrypted (see encrypt); empty stays empty so "not given" needs no decryption."""

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
