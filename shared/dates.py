"""Dates as the reader writes them, from a date or ISO date text (signed letters and audit rows keep
ISO text). The template filter `local_date` (config/templatetags/local_dates.py) is this function."""

import datetime as dt

from django.utils.formats import date_format


def local_date(value: dt.date | str | None, format_name: str = "DATE_FORMAT") -> str:
    """A date, or ISO date text ("2026-12-03"), in the current language's format; other text as it is."""
    if isinstance(value, str):
        try:
            return date_format(dt.date.fromisoformat(value), format_name)
        except ValueError:
            return value
    if value is None:
        return ""
    return date_format(value, format_name)
