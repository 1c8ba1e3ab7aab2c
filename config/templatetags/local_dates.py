"""Dates as the reader writes them. The signed letter keeps its dates as ISO text (they are part
of what is signed); on the page they are shown like every other date, in the reader's language."""

import datetime as dt

from django import template
from django.utils.formats import date_format

register = template.Library()


@register.filter
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
