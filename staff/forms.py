"""Forms of the staff pages. Messages are instructions, as on the applicant pages."""

from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from registrations.forms import CitaForm, IdempotentForm, parse_birth_date
from registrations.references import normalise_reference
from shared.addresses import normalise_address
from shared.text import clean_free_text
from staff.models import HelpTicket

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise


def typed(form: IdempotentForm) -> dict:
    """What the person typed, without the resend key."""
    return {name: value for name, value in form.cleaned_data.items() if name != "idempotency_key"}


def _required_text(value: str, message: "str | StrPromise") -> str:
    """Free text less what would hide or reverse it on another staff member's page."""
    value = clean_free_text(value)
    if not value:
        raise ValidationError(message)
    return value


class DecisionForm(CitaForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))], required=False)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def clean_decision(self) -> str:
        return _required_text(self.cleaned_data["decision"], _("Choose approve or decline"))

    def clean_reason(self) -> str:
        return _required_text(self.cleaned_data["reason"], _("Enter the reason for the decision"))


class TicketForm(IdempotentForm):
    category = forms.ChoiceField(
        label=_("What is the problem about?"), choices=HelpTicket.Category.choices, required=False
    )
    description = forms.CharField(
        label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )
    device = forms.CharField(label=_("Phone or computer used (optional)"), max_length=100, required=False)
    language = forms.ChoiceField(label=_("Language of the person"), choices=settings.LANGUAGES, required=False)

    def clean_category(self) -> str:
        return _required_text(self.cleaned_data["category"], _("Choose what the problem is about"))

    def clean_description(self) -> str:
        return _required_text(self.cleaned_data["description"], _("Describe what happened"))

    def clean_device(self) -> str:
        return clean_free_text(self.cleaned_data["device"])

    def clean_language(self) -> str:
        return _required_text(self.cleaned_data["language"], _("Choose the language of the person"))


class ReplyForm(IdempotentForm):
    body = forms.CharField(
        label=_("Your reply"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000, required=False
    )

    def clean_body(self) -> str:
        return _required_text(self.cleaned_data["body"], _("Enter your reply"))


class NoticeForm(IdempotentForm):
    title = forms.CharField(label=_("What changes?"), max_length=200, required=False)
    body = forms.CharField(
        label=_("Details"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000, required=False
    )
    takes_effect_on = forms.DateField(
        label=_("From which date?"), widget=forms.DateInput(attrs={"type": "date"}), required=False
    )
    affects = forms.CharField(label=_("Who is affected?"), max_length=200, required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["takes_effect_on"].error_messages["invalid"] = _("Enter a real date, like 2026-12-31")

    def clean_title(self) -> str:
        return _required_text(self.cleaned_data["title"], _("Enter what changes"))

    def clean_body(self) -> str:
        return _required_text(self.cleaned_data["body"], _("Enter the details"))

    def clean_affects(self) -> str:
        return _required_text(self.cleaned_data["affects"], _("Enter who is affected"))

    def clean_takes_effect_on(self):
        if self.cleaned_data["takes_effect_on"] is None:
            raise ValidationError(_("Enter the date the change starts"))
        return self.cleaned_data["takes_effect_on"]


class ReferenceForm(CitaForm):
    reference = forms.CharField(label=_("Household reference"), max_length=40, required=False)

    def clean_reference(self) -> str:
        reference = normalise_reference(self.cleaned_data["reference"])
        if reference is None:
            raise ValidationError(_("Check the reference: it has 9 letters and numbers, like K7M-4QX-P2R"))
        return reference


class MoveSigninForm(CitaForm):
    """A lost or stolen phone: the new phone or email, and the check made with the person in front of you."""

    address = forms.CharField(label=_("New phone number or email address"), max_length=300, required=False)
    date_of_birth = forms.CharField(
        label=_("Date of birth of the head of household"),
        help_text=_("Ask the person. For example 27/03/1990"),
        max_length=40,
        required=False,
    )
    recovery_code = forms.CharField(label=_("Or a recovery code from the printed slip"), max_length=40, required=False)

    def clean_address(self) -> str:
        return normalise_address(self.cleaned_data["address"])

    def clean_date_of_birth(self):
        text = self.cleaned_data["date_of_birth"]
        return parse_birth_date(text) if text.strip() else None

    def clean(self) -> dict:
        data = super().clean() or {}
        if "date_of_birth" in data and not data["date_of_birth"] and not data.get("recovery_code", "").strip():
            self.add_error(
                "date_of_birth",
                _("Enter the head of household's date of birth, or a recovery code from the printed slip"),
            )
        return data
