"""The words a phone can text to Cita, in each of the eight languages.

They are kept here, not in the translation catalogues, because a message tells the person the
exact word to send back: a translator's change must not break replies. Any word works from any
household (people mix languages); accents and case do not matter.
"""

import unicodedata

COMMANDS = {
    "status": {
        "en": "STATUS",
        "es": "ESTADO",
        "ht": "ETA",
        "fr": "STATUT",
        "pt": "SITUACAO",
        "ru": "СТАТУС",
        "zh-hans": "状态",
        "ar": "حالة",
    },
    "confirm": {
        "en": "YES",
        "es": "SI",
        "ht": "WI",
        "fr": "OUI",
        "pt": "SIM",
        "ru": "ДА",
        "zh-hans": "是",
        "ar": "نعم",
    },
    "stop": {
        "en": "STOP",
        "es": "ALTO",
        "ht": "KANPE",
        "fr": "ARRET",
        "pt": "PARAR",
        "ru": "СТОП",
        "zh-hans": "停止",
        "ar": "توقف",
    },
    "start": {
        "en": "START",
        "es": "INICIO",
        "ht": "KOMANSE",
        "fr": "REPRENDRE",
        "pt": "INICIAR",
        "ru": "СТАРТ",
        "zh-hans": "开始",
        "ar": "ابدأ",
    },
    "code": {
        "en": "CODE",
        "es": "CODIGO",
        "ht": "KOD",
        "fr": "CODE",
        "pt": "CODIGO",
        "ru": "КОД",
        "zh-hans": "验证码",
        "ar": "رمز",
    },
}
# Also understood: the English words in every language, and common spellings.
EXTRA = {"STATUS": "status", "STATUT": "status", "ESTATUS": "status", "STATUTS": "status", "SITUACION": "status"}


def normalise(text: str) -> str:
    """The first word, upper case, without accents (Arabic letters keep their form)."""
    words = text.strip().split()
    if not words:
        return ""
    first = unicodedata.normalize("NFD", words[0].strip(".,!?¡¿:;\"'"))
    return "".join(ch for ch in first if not unicodedata.combining(ch)).upper()


def _table() -> dict[str, tuple[str, str]]:
    table: dict[str, tuple[str, str]] = {}
    for command, by_language in COMMANDS.items():
        for language, word in by_language.items():
            table.setdefault(normalise(word), (command, language))
    for word, command in EXTRA.items():
        table.setdefault(word, (command, ""))
    return table


TABLE = _table()


def parse(text: str) -> tuple[str, str]:
    """(command, language of the word) for a text, or ("", "") when it is not a command."""
    return TABLE.get(normalise(text), ("", ""))


def word(command: str, language: str) -> str:
    return COMMANDS[command].get(language, COMMANDS[command]["en"])
