"""What every app's views share: the error summary, a POST's items for resend checks, and safe
sentences around names. Part of the shared package: it imports no Cita app."""

from collections.abc import Iterable

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import HttpRequest


def error_list(*forms_: forms.BaseForm | forms.BaseFormSet | None) -> list[tuple[str, str]]:
    """Every error as (field id, message), in page order, for the error summary."""
    found: list[tuple[str, str]] = []
    for form in forms_:
        if form is None:
            continue
        if isinstance(form, forms.BaseFormSet):
            found += [("", str(message)) for message in form.non_form_errors()]
            found += error_list(*form.forms)
            continue
        found += [("", str(message)) for message in form.non_field_errors()]
        for name, errors in form.errors.items():
            if name == NON_FIELD_ERRORS:
                continue
            field_id = form[name].auto_id if name in form.fields else ""
            found += [(field_id, str(message)) for message in errors]
    return found


def post_items(request: HttpRequest) -> Iterable[tuple[str, str]]:
    return ((key, value) for key in request.POST for value in request.POST.getlist(key))


def isolate(text: str) -> str:
    """A name or phone number put into a sentence built here, between Unicode isolates (FSI … PDI):
    what <bdi> does in templates, so an Arabic message keeps its full stop at its own end."""
    return f"\u2068{text}\u2069"
