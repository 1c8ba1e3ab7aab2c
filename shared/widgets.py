"""Form widgets more than one app's forms use."""

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import SafeString


class GroupRadioSelect(forms.RadioSelect):
    """Radios whose shared attributes (htmx) sit once on their fieldset instead of on every radio:
    a change bubbles up to the fieldset, and eight ports no longer repeat the same five attributes."""

    def __init__(self, *args, group_attrs: dict[str, str] | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.group_attrs = group_attrs or {}

    def group_attrs_html(self) -> SafeString:
        return flatatt(self.group_attrs)
