"""Registration references that people can read aloud and write on paper.

Nine characters in three groups (``K7M-4QX-P2R``) from an alphabet without the letters
people confuse (0/O, 1/I/L, U/V, 5/S, 2/Z, B), the last one a Luhn mod N check
character, so a single wrong character or two swapped neighbours are caught at once.
"""

import secrets

ALPHABET = "346789ACDEFGHJKMNPQRTWXY"  # an even count, which Luhn mod N needs
DATA_LENGTH = 8


def _check_character(data: str) -> str:
    n = len(ALPHABET)
    total = 0
    factor = 2
    for char in reversed(data):
        addend = factor * ALPHABET.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return ALPHABET[(n - total % n) % n]


def new_reference() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return format_reference(data + _check_character(data))


def format_reference(compact: str) -> str:
    return f"{compact[0:3]}-{compact[3:6]}-{compact[6:9]}"


def normalise_reference(text: str) -> str | None:
    """Return the reference in its printed form, or None if it is not a valid reference."""
    compact = "".join(ch for ch in text.upper() if ch.isalnum())
    if len(compact) != DATA_LENGTH + 1 or any(ch not in ALPHABET for ch in compact):
        return None
    if _check_character(compact[:-1]) != compact[-1]:
        return None
    return format_reference(compact)
