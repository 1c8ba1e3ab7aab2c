"""Names, places and phone numbers inside a sentence, isolated from it: in Arabic a Latin port name
("Brownsville, TX") or a phone number ("+52•••4567") otherwise pulls the sentence's punctuation
to the wrong end of the line. <bdi> lets the browser order the value on its own."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def isolate(value: object) -> SafeString:
    """The value, escaped, in a <bdi>; use it for every name or number put into translated text."""
    return format_html("<bdi>{}</bdi>", value)
