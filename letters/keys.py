"""Ed25519 signing keys for letters, with rotation.

LETTER_SIGNING_KEYS holds "key-id:base64-private-key" pairs separated by commas; the first
signs new letters, the others stay only to verify old ones... and since verification needs
only public keys, retired keys can be reduced to their public half in LETTER_RETIRED_PUBLIC_KEYS
("key-id:base64-public-key"). Without a setting (development only) a key is derived from
SECRET_KEY, so a laptop works out of the box; production must set its own.
"""

import base64
import hashlib
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@cache
def signing_keys() -> list[tuple[str, Ed25519PrivateKey]]:
    configured = [item.split(":", 1) for item in settings.LETTER_SIGNING_KEYS if ":" in item]
    if configured:
        return [(kid, Ed25519PrivateKey.from_private_bytes(_unb64(raw))) for kid, raw in configured]
    seed = hashlib.sha256(f"cita-dev-letter-key:{settings.SECRET_KEY}".encode()).digest()
    return [("dev1", Ed25519PrivateKey.from_private_bytes(seed))]


@cache
def public_keys() -> dict[str, Ed25519PublicKey]:
    keys = {kid: private.public_key() for kid, private in signing_keys()}
    for item in settings.LETTER_RETIRED_PUBLIC_KEYS:
        kid, raw = item.split(":", 1)
        keys.setdefault(kid, Ed25519PublicKey.from_public_bytes(_unb64(raw)))
    return keys


def public_key_text(key: Ed25519PublicKey) -> str:
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def sign(statement: str) -> str:
    """Return "statement~key-id~signature", the text carried by the QR code."""
    kid, private = signing_keys()[0]
    signature = private.sign(f"{kid}~{statement}".encode())
    return f"{statement}~{kid}~{_b64(signature)}"


def canonical_signature(text: str) -> bytes | None:
    """The signature's bytes, only from its one spelling: 86 base64url characters whose 4 unused
    last bits are zero. A lenient decoder accepts 16 spellings of the same signature."""
    if len(text) != 86 or not text.isascii():
        return None
    try:
        raw = _unb64(text)
    except ValueError:
        return None
    return raw if _b64(raw) == text else None


def verify(signed: str) -> str | None:
    """The statement if the signature is good under a published key, else None."""
    try:
        statement, kid, signature = signed.strip().rsplit("~", 2)
        raw = canonical_signature(signature)
        if raw is None:
            return None
        public_keys()[kid].verify(raw, f"{kid}~{statement}".encode())
    except (ValueError, KeyError, InvalidSignature, TypeError):
        return None
    return statement
