"""The appointment letter as one picture to download: the printable letter's lines, in the reader's
language and date formats, one under the other, so no line covers another and the QR code is whole
(a cut code does not scan). Values sit between Unicode isolates (FSI … PDI): a Latin name or a
date keeps its own order inside an Arabic line."""

import re
import unicodedata

from django.utils import timezone
from django.utils.formats import date_format, number_format, time_format
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from shared.dates import local_date

TITLE_Y, FIRST_Y, LINE = 34, 70, 22
MARGIN, MIN_WIDTH = 20, 420


def _isolated(text: object) -> str:
    return f"\u2068{text}\u2069"


def _width(text: str, size: int = 14) -> float:
    """A generous guess of a line's width in pixels (wide CJK characters count double)."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else size * 0.6 for ch in text)


def layout(context: dict) -> dict:
    """Where each line and the QR code go, and how big the picture is."""
    statement, port, until = context["statement"], context["port"], context["valid_until"]
    lines = [
        (_("Reference"), statement.reference),
        (_("Port of entry"), port.name if port else statement.port),
        (_("Date"), date_format(context["date"], "DATE_FORMAT")),
        (_("Time (port's local time)"), statement.window),
        (_("Number of people"), number_format(statement.people)),
        (_("Issued on"), local_date(statement.issued)),
    ]
    if until:
        moment = timezone.localtime(until)
        lines.append((_("Valid until"), f"{date_format(moment, 'DATE_FORMAT')} {time_format(moment, 'H:i')}"))
    text = [f"{label}: {_isolated(value)}" for label, value in lines]
    text.append(f"{_('People')}:")
    text += [
        f"  {_isolated(m.full_name)} ({_isolated(date_format(m.date_of_birth, 'DATE_FORMAT'))})"
        for m in context["members"]
    ]
    qr_size = int(re.search(r'width="(\d+)"', context["qr"])[1])  # type: ignore[index]
    qr_y = FIRST_Y + LINE * (len(text) - 1) + LINE // 2
    title = f"Cita – {_('Appointment letter')}"
    width = int(max(MIN_WIDTH, _width(title, 20) + 2 * MARGIN, *(_width(t) + 2 * MARGIN for t in text)))
    rtl = get_language_bidi()
    return {
        "title": title,
        "lines": [(FIRST_Y + LINE * n, t) for n, t in enumerate(text)],
        "title_y": TITLE_Y,
        "x": width - MARGIN if rtl else MARGIN,
        "rtl": rtl,
        "width": width,
        "height": qr_y + qr_size + MARGIN,
        "qr_x": width - MARGIN - qr_size if rtl else MARGIN,
        "qr_y": qr_y,
    }
