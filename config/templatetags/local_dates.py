"""Dates as the reader writes them. The signed letter keeps its dates as ISO text (they are part
of what is signed); on the page they are shown like every other date, in the reader's language."""

from django import template

from shared.dates import local_date

register = template.Library()
register.filter("local_date", local_date)
