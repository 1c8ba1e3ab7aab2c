"""How many SMS segments a text costs, and folding accents so Latin-script text stays in GSM-7.

An SMS in the GSM-7 alphabet holds 160 characters (153 per part when split); any other character
makes the whole message UCS-2, 70 characters (67 per part). Spanish, Portuguese, French and
Haitian Creole accents outside GSM-7 (á, í, ó, ú, ã, ç…) would double or triple the cost of a
message, so they are folded to their base letter, which every reader understands. Arabic,
Chinese and Russian are UCS-2 whatever we do.
"""

import unicodedata
from dataclasses import dataclass

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENDED = set("^{}\\[~]|€\f")  # two septets each
SPELLED = {"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "...", "\u00a0": " "}


@dataclass(frozen=True)
class Cost:
    encoding: str  # "GSM-7" or "UCS-2"
    units: int  # septets, or UTF-16 code units
    segments: int


def is_gsm7(text: str) -> bool:
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENDED for ch in text)


def fold_to_gsm7(text: str) -> str:
    """The text with accents outside GSM-7 folded to their base letter, if that makes it all GSM-7;
    otherwise the text unchanged (it is UCS-2 anyway, and keeps every letter)."""
    if is_gsm7(text):
        return text
    folded = []
    for ch in text:
        if ch in GSM7_BASIC or ch in GSM7_EXTENDED:
            folded.append(ch)
            continue
        ch = SPELLED.get(ch, ch)
        base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        folded.append(base)
    result = "".join(folded)
    return result if is_gsm7(result) else text


def cost(text: str) -> Cost:
    """Segments of one SMS: 160/153 septets in GSM-7, 70/67 code units in UCS-2."""
    if is_gsm7(text):
        units = sum(2 if ch in GSM7_EXTENDED else 1 for ch in text)
        single, part = 160, 153
        encoding = "GSM-7"
    else:
        units = len(text.encode("utf-16-be")) // 2
        single, part = 70, 67
        encoding = "UCS-2"
    segments = 1 if units <= single else -(-units // part)
    return Cost(encoding, units, segments)
