"""What people type, made safe to compare and to show: invisible characters and direction overrides.

A name with an invisible character in it looks the same as the name without it, but compares
differently: the same person could be registered twice. Unicode names these characters
Default_Ignorable_Code_Point (DerivedCoreProperties.txt); Python's unicodedata does not expose
the property, so its ranges are written out below, with every format (Cf), control (Cc),
private-use (Co), surrogate (Cs) and unassigned (Cn) character on top.
"""

import re
import unicodedata

# Default_Ignorable_Code_Point, Unicode 16.0 DerivedCoreProperties.txt (unchanged since 9.0 but for
# reserved code points, which are unassigned and refused as Cn anyway).
DEFAULT_IGNORABLE = (
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x061C, 0x061C),  # Arabic letter mark
    (0x115F, 0x1160),  # Hangul choseong and jungseong fillers
    (0x17B4, 0x17B5),  # Khmer inherent vowels
    (0x180B, 0x180F),  # Mongolian variation selectors and vowel separator
    (0x200B, 0x200F),  # zero-width space, joiners, left-to-right and right-to-left marks
    (0x202A, 0x202E),  # direction embeddings and overrides
    (0x2060, 0x206F),  # word joiner, invisible operators, direction isolates, deprecated formats
    (0x3164, 0x3164),  # Hangul filler
    (0xFE00, 0xFE0F),  # variation selectors
    (0xFEFF, 0xFEFF),  # zero-width no-break space (byte order mark)
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF0, 0xFFF8),  # reserved
    (0x1BCA0, 0x1BCA3),  # shorthand format controls
    (0x1D173, 0x1D17A),  # musical symbol formats
    (0xE0000, 0xE0FFF),  # tags and variation selectors supplement
)
NEVER_TYPED = {"Cc", "Cf", "Co", "Cs", "Cn"}
# Kept in free text: emoji sequences and Persian, Indic and Arabic writing need the joiners, and
# variation selectors pick how an emoji looks.
JOINERS = {"\u200c", "\u200d", *(chr(c) for c in range(0xFE00, 0xFE10))}


_DEFAULT_IGNORABLE = re.compile("[" + "".join(f"\\U{start:08x}-\\U{end:08x}" for start, end in DEFAULT_IGNORABLE) + "]")


def is_default_ignorable(ch: str) -> bool:
    return _DEFAULT_IGNORABLE.match(ch) is not None


def is_invisible(ch: str) -> bool:
    """A character that shows nothing (or changes how others show) and that no one types in a name."""
    return unicodedata.category(ch) in NEVER_TYPED or is_default_ignorable(ch)


def has_invisible(text: str) -> bool:
    if text.isascii():
        return not text.isprintable()  # in ASCII only the control characters are invisible
    return _DEFAULT_IGNORABLE.search(text) is not None or any(unicodedata.category(ch) in NEVER_TYPED for ch in text)


def clean_free_text(text: str) -> str:
    """Free text (a description, a reply) kept as typed, without what would hide or reverse it.

    Line breaks and tabs stay; direction overrides (which would reverse the line on a staff page),
    zero-width spaces and control characters go.
    """
    text = text.replace("\r\n", "\n")
    return "".join(ch for ch in text if ch in "\n\t" or ch in JOINERS or not is_invisible(ch)).strip()
