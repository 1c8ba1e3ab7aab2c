"""The compact statement a letter carries, and reading it back.

Format (fields joined by "|"): CITA1|kind|reference|port code|date|window|people|case|issued date.
It names no person: the printed letter shows the names, the statement binds the reference,
place, day, time and number of people to the signature. An exemption letter has no port,
date or window, and states its case.
"""

from dataclasses import dataclass

VERSION = "CITA1"
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

    def text(self) -> str:
        fields = [
            VERSION,
            self.kind,
            self.reference,
            self.port,
            self.date,
            self.window,
            str(self.people),
            self.case,
            self.issued,
        ]
        return "|".join(fields)


def parse(text: str) -> Statement | None:
    parts = text.split("|")
    if len(parts) != 9 or parts[0] != VERSION or parts[1] not in KINDS or not parts[6].isdigit():
        return None
    return Statement(parts[1], parts[2], parts[3], parts[4], parts[5], int(parts[6]), parts[7], parts[8])
