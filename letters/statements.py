"""The compact statement a letter carries, and reading it back.

Format (fields joined by "|"): CITA2|kind|reference|port code|date|window|people|case|issued date|
valid until|serial. It names no person: the printed letter shows the names, the statement binds
the reference, place, day, time, number of people and the end of its validity to the signature,
so an offline checker knows when a letter stops being valid without asking Cita. The serial is
what the published revocation list names. CITA1 letters (before validity and serials) still read.
"""

import datetime as dt
from dataclasses import dataclass

VERSION = "CITA2"
KINDS = {"A": "appointment", "E": "exemption"}
EXEMPT_CASES = ("child", "mexican", "risk")


@dataclass(frozen=True)
class Statement:
    kind: str
    reference: str
    port: str
    date: str
    window: str
    people: int
    case: str
    issued: str
    valid_until: str = ""
    serial: str = ""

    def text(self) -> str:
        fields = [VERSION, self.kind, self.reference, self.port, self.date, self.window, str(self.people)]
        return "|".join([*fields, self.case, self.issued, self.valid_until, self.serial])

    def valid_until_time(self) -> dt.datetime | None:
        try:
            return dt.datetime.fromisoformat(self.valid_until) if self.valid_until else None
        except ValueError:
            return None


def parse(text: str) -> Statement | None:
    parts = text.split("|")
    legacy = len(parts) == 9 and parts[0] == "CITA1"
    current = len(parts) == 11 and parts[0] == VERSION
    if not (legacy or current) or parts[1] not in KINDS or not (parts[6].isascii() and parts[6].isdigit()):
        return None
    statement = Statement(parts[1], parts[2], parts[3], parts[4], parts[5], int(parts[6]), *parts[7:])
    if current and (not statement.serial or statement.valid_until_time() is None):
        return None
    return statement
