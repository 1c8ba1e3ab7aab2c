"""The language links on every page, built in Python: eight `{% url %}` tags and a loop cost
about as much as the rest of the page chrome, and this is on every page anyone opens."""

from functools import cache
from urllib.parse import quote

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()
CURRENT = mark_safe(' aria-current="true"')  # noqa: S308 (a constant)


@cache
def _links() -> tuple[tuple[str, str, str], ...]:
    """(code, name in its own language, switch URL) for each language; URLs are fixed once loaded."""
    return tuple((code, name, reverse("change_language", args=[code])) for code, name in settings.LANGUAGES)


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> SafeString:
    """One list item per language, linking back to this page; the current one is marked."""
    back = quote(context["request"].get_full_path(), safe="/")
    current = get_language()
    return format_html_join(
        "",
        '<li><a href="{}?next={}" lang="{}"{}>{}</a></li>',
        ((url, back, code, CURRENT if code == current else "", name) for code, name, url in _links()),
    )
