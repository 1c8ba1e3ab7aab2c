"""Applicant forms. Each error message is an instruction, in the applicant's language.

Fields clean what people type on a phone (spaces, hyphens, odd characters) and return
domain values; nothing here writes to the database.
"""

import copy
import datetime as dt
import unicodedata
from itertools import groupby
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.utils import ErrorDict
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from registrations.geography import accepts_requests_from, far_port_distance, places_with_acceptance
from registrations.households import HouseholdDetails, MemberData, cap_message
from registrations.models import Member, Place, VulnerabilityRequest
from registrations.nationalities import NATIONALITIES
from registrations.references import normalise_reference
from shared.addresses import normalise_address, normalise_email, normalise_phone
from shared.by_key import by_key, by_keys
from shared.models import Port
from shared.pages import isolate
from shared.text import clean_free_text, has_invisible
from shared.widgets import GroupRadioSelect

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

INVISIBLE = _("This answer has an invisible character in it, often from copying and pasting. Type it again.")
NAME_PUNCTUATION = set(" -'’.")
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
NEEDS_MAX_LENGTH = cast(int, Member._meta.get_field("needs").max_length)


def clean_text(value: str, max_length: int, too_long: "str | StrPromise") -> str:
    """Collapse spaces and refuse invisible characters: the same name with one hidden inside would
    count as another person."""
    value = " ".join(value.split())
    if has_invisible(value):
        raise ValidationError(INVISIBLE)
    if len(value) > max_length:
        raise ValidationError(too_long)
    return value


def parse_birth_date(text: str) -> dt.date:
    """A date of birth as people type it (27/03/2015, 2015-03-27 …), or a message saying what to enter."""
    text = text.strip()
    if not text:
        raise ValidationError(_("Enter the date of birth"))
    for date_format in DATE_FORMATS:
        try:
            born = dt.datetime.strptime(text, date_format).date()
            break
        except ValueError:
            continue
    else:
        raise ValidationError(_("Enter a real date of birth, like 27/03/2015"))
    if born > timezone.localdate():
        raise ValidationError(_("The date of birth must be today or in the past"))
    if born.year < 1900:
        raise ValidationError(_("The year of birth must be 1900 or later"))
    return born


NUL_CHARACTERS = _("Remove the unusual characters from this answer")
TOO_LONG = _("This answer is too long. Make it shorter.")
CHOOSE_FROM_LIST = _("Choose an answer from the list")


def _shallow(thing):
    copied = object.__new__(type(thing))
    copied.__dict__.update(thing.__dict__)
    return copied


def _quick_copy(field: forms.Field, memo: dict) -> forms.Field:
    """What Field.__deepcopy__ makes (the field's own widget, widget attributes, messages and validators),
    without the copy module's general machinery, which was a tenth of a registration's CPU (issue 18)."""
    result = _shallow(field)
    memo[id(field)] = result
    result.widget = _shallow(field.widget)
    result.widget.attrs = field.widget.attrs.copy()
    result.error_messages = field.error_messages.copy()
    result.validators = field.validators[:]
    if isinstance(field, QuickCopy):
        field.copied(result)
    return result


class FieldsCopiedQuickly(dict):
    """A form class's fields, copied for each form it makes: quickly where a field copies only what
    Field.__deepcopy__ copies (plain fields and widgets, QuickCopy fields), by copy.deepcopy otherwise
    (a model choice copies its queryset, a choice widget its choices)."""

    def __init__(self, fields: dict) -> None:
        super().__init__(fields)
        self.quick = frozenset(name for name, field in fields.items() if _copies_quickly(field))

    def __deepcopy__(self, memo: dict) -> dict:
        return {
            name: _quick_copy(field, memo) if name in self.quick else copy.deepcopy(field, memo)
            for name, field in self.items()
        }


class QuickCopy:
    """A field whose every form may share what it holds besides what _quick_copy copies (its choices, its
    queryset): its copy for a form is the quick one, also where Django's would copy more."""

    def __deepcopy__(self, memo):
        return _quick_copy(cast(forms.Field, self), memo)

    def copied(self, result) -> None:
        """Set what the copy must have of its own beyond _quick_copy."""


def _copies_quickly(field: forms.Field) -> bool:
    if isinstance(field, QuickCopy):
        return type(field).__deepcopy__ is QuickCopy.__deepcopy__
    plain_widget = type(field.widget).__deepcopy__ is forms.Widget.__deepcopy__
    return type(field).__deepcopy__ is forms.Field.__deepcopy__ and plain_widget


class CitaFormMetaclass(forms.forms.DeclarativeFieldsMetaclass):
    def __new__(mcs, name, bases, attrs):
        form_class = super().__new__(mcs, name, bases, attrs)
        form_class.base_fields = FieldsCopiedQuickly(form_class.base_fields)
        return form_class


class CitaForm(forms.Form, metaclass=CitaFormMetaclass):
    """A form whose every refusal is an instruction (Django's generic messages replaced)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["null_characters_not_allowed"] = NUL_CHARACTERS
            field.error_messages["max_length"] = TOO_LONG


class FixedChoiceField(QuickCopy, forms.ChoiceField):
    """A choice field whose choices no form changes: every form made from the class shares them.

    Django copies a form's fields for each form it makes, a choice field with a deep copy of its
    choices; for the nationality list that was most of the time a registration of 4 spent in its
    forms (issue 18). Its valid values are looked up in a set instead of a walk through the list.
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._valid_values = frozenset(str(key) for key, _label in kwargs.get("choices", ()))  # flat choices only

    def valid_value(self, value) -> bool:
        return str(value) in self._valid_values


class IdempotentForm(CitaForm):
    """Carries the key that makes a resend of this form harmless."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64, required=False)


class AddressForm(CitaForm):
    address = forms.CharField(label=_("Phone number or email address"), max_length=300, required=False)

    def clean_address(self) -> str:
        return normalise_address(self.cleaned_data["address"])


class SharedDeviceMixin(forms.Form):
    """ "This is not my phone": no draft, no kept page, signed out after a short time unused."""

    shared_device = forms.BooleanField(required=False)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["shared_device"].label = _(
            "This is not my phone: forget me when I sign out, or after %(minutes)s minutes without use"
        ) % {"minutes": settings.SHARED_DEVICE_IDLE_MINUTES}


class SigninForm(SharedDeviceMixin, AddressForm):
    pass


class CodeForm(CitaForm):
    code = forms.CharField(label=_("Code"), max_length=30, required=False)

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if not ch.isspace() and ch != "-")
        if not code:
            raise ValidationError(_("Enter the 6-digit code from the message"))
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise ValidationError(_("Enter the code as 6 numbers, like 123456"))
        return code


class RecoveryForm(SharedDeviceMixin, CitaForm):
    reference = forms.CharField(label=_("Household reference"), max_length=40, required=False)
    recovery_code = forms.CharField(label=_("Recovery code"), max_length=40, required=False)

    def clean_reference(self) -> str:
        text = self.cleaned_data["reference"]
        if not text.strip():
            raise ValidationError(_("Enter your household reference, like K7M-4QX-P2R"))
        reference = normalise_reference(text)
        if reference is None:
            raise ValidationError(_("Check the reference: it has 9 letters and numbers, like K7M-4QX-P2R"))
        return reference

    def clean_recovery_code(self) -> str:
        code = self.cleaned_data["recovery_code"].strip()
        if not code:
            raise ValidationError(_("Enter one of the recovery codes you wrote down"))
        return code


class PlaceChoiceIterator(forms.models.ModelChoiceIterator):
    """Places grouped by state: each option says only the town, so a long name still fits a phone."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # Read from a clone: the field's queryset is shared by every form (ChosenByKeyField) and must keep no rows.
        for state, places in groupby(self.queryset.all(), key=lambda place: place.state_name):
            yield (state, [self.choice(place) for place in places])


class ChosenByKeyField(QuickCopy, forms.ModelChoiceField):
    """A model choice whose chosen row is read from chosen_from() by a statement built once (shared/by_key.py):
    building the queryset's SQL for each registration cost more than running it.

    Every form shares the field's queryset instead of cloning it (Django's copy does, for each form): it is
    never evaluated in place, since the choices are read through a clone or `iterator()` and the chosen row
    through chosen_from(), so it keeps no rows from one form to the next.
    """

    # Rows its form read ahead for several such fields at once (read_chosen_rows), by the value sent.
    read_ahead: dict[Any, Model | None] = {}  # noqa: RUF012  (never changed in place: replaced per form's copy)

    def copied(self, result) -> None:
        result.widget.choices = result.choices  # read through the copy (its empty label, its queryset)

    def chosen_from(self) -> QuerySet:
        raise NotImplementedError

    def to_python(self, value) -> Model | None:
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        key = value if isinstance(value, str) else None
        chosen = self.read_ahead[key] if key in self.read_ahead else by_key(self.chosen_from(), value)
        if chosen is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return chosen


def read_chosen_rows(form: forms.Form) -> None:
    """Reads the rows chosen in the form's ChosenByKeyFields in one statement (the place and the port of a
    registration: one round trip instead of two), for the fields to find when they clean."""
    fields = [(name, field) for name, field in form.fields.items() if isinstance(field, ChosenByKeyField)]
    sent = {name: form[name].data for name, _ in fields}
    wanted = [(name, field) for name, field in fields if isinstance(sent[name], str) and sent[name]]
    if len(wanted) < 2:
        return  # nothing to save: the field reads its own
    rows = by_keys([(field.chosen_from(), sent[name]) for name, field in wanted])
    for (name, field), row in zip(wanted, rows, strict=True):
        field.read_ahead = {sent[name]: row}


class PlaceChoiceField(ChosenByKeyField):
    iterator = PlaceChoiceIterator

    def label_from_instance(self, obj: Place) -> str:
        return obj.name

    def chosen_from(self) -> QuerySet:
        """The places, each read with whether its state accepts requests today (one query fewer)."""
        return places_with_acceptance(timezone.localdate())


class PortChoiceField(ChosenByKeyField):
    def chosen_from(self) -> QuerySet:
        return PORTS_TAKING_REQUESTS


PORTS_TAKING_REQUESTS = Port.objects.filter(accepts_requests=True)


class HouseholdDetailsForm(IdempotentForm):
    current_place = PlaceChoiceField(
        label=_("Where are you now?"),
        queryset=Place.objects.all(),
        required=False,
        empty_label=_("Choose a city or town"),
    )
    # Radios, not a select: a select cuts a long port name off at 320 px ("Brownsville, TX (Gatew…").
    preferred_port = PortChoiceField(
        label=_("Which port of entry do you want to go to?"),
        queryset=PORTS_TAKING_REQUESTS,
        required=False,
        empty_label=None,
        widget=GroupRadioSelect,
    )
    contact_phone = forms.CharField(label=_("Phone number for messages (optional)"), max_length=40, required=False)
    contact_email = forms.CharField(label=_("Email address for messages (optional)"), max_length=300, required=False)
    language = FixedChoiceField(
        label=_("Language for messages"),
        choices=settings.LANGUAGES,
        error_messages={"invalid_choice": _("Choose a language from the list")},
    )
    # The port the applicant confirmed after the far-port warning (its id), if any.
    far_port_confirmed = forms.CharField(widget=forms.HiddenInput, required=False, max_length=20)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        warning = {
            "hx-get": reverse("port_warning"),
            "hx-trigger": "change",
            "hx-target": "#port-warning",
            "hx-swap": "outerHTML",
            "hx-include": "[name=current_place],[name=preferred_port]",
            # The place and the port each ask; on a slow line the first answer could come while the second
            # question is out, replace the warning's element, and the second answer then had nowhere to go.
            # The newer question gives up the older one instead.
            "hx-sync": "#port-warning:replace",
        }
        self.fields["current_place"].widget.attrs.update(warning)
        self.fields["preferred_port"].widget.group_attrs = warning
        self.fields["current_place"].error_messages["invalid_choice"] = _("Choose where you are now from the list")
        self.fields["preferred_port"].error_messages["invalid_choice"] = _("Choose a port from the list")

    def full_clean(self) -> None:
        if self.is_bound:
            read_chosen_rows(self)
        super().full_clean()

    def clean_current_place(self) -> Place:
        place = self.cleaned_data["current_place"]
        if place is None:
            raise ValidationError(_("Choose where you are now"))
        if not accepts_requests_from(place):
            raise ValidationError(
                _("Requests cannot be made from %(state)s yet. The page 'Where you can ask from' lists the places.")
                % {"state": isolate(place.state_name)}
            )
        return place

    def clean_preferred_port(self) -> Port:
        port = self.cleaned_data["preferred_port"]
        if port is None:
            raise ValidationError(_("Choose the port of entry you want to go to"))
        return port

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_contact_email(self) -> str:
        value = self.cleaned_data["contact_email"].strip()
        return normalise_email(value) if value else ""

    def far_port_km(self) -> int | None:
        """The distance to warn about: the port is far and this port was not confirmed yet."""
        data = getattr(self, "cleaned_data", {})
        place, port = data.get("current_place"), data.get("preferred_port")
        if place is None or port is None or data.get("far_port_confirmed") == str(port.pk):
            return None
        return far_port_distance(place, port)

    def details(self) -> HouseholdDetails:
        data = self.cleaned_data
        return HouseholdDetails(
            current_place=data["current_place"],
            preferred_port_id=data["preferred_port"].pk,
            contact_phone=data["contact_phone"],
            contact_email=data["contact_email"],
            language=data["language"],
        )


class MemberForm(CitaForm):
    given_names = forms.CharField(label=_("Given names"), max_length=10_000, required=False)
    family_names = forms.CharField(label=_("Family names"), max_length=10_000, required=False)
    date_of_birth = forms.CharField(
        label=_("Date of birth"),
        help_text=_("For example 27/03/2015"),
        max_length=40,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    nationality = FixedChoiceField(
        label=_("Nationality"),
        choices=[("", _("Choose a nationality")), *NATIONALITIES],
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    sex = FixedChoiceField(
        label=_("Sex"),
        choices=Member.Sex.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    relationship = FixedChoiceField(
        label=_("Relationship to the head of household"),
        choices=[("", _("Choose a relationship")), *Member.Relationship.choices],
        required=False,
        error_messages={"invalid_choice": CHOOSE_FROM_LIST},
    )
    languages = forms.CharField(label=_("Languages this person speaks (optional)"), max_length=10_000, required=False)
    needs = forms.CharField(
        label=_("Health or other needs we should know about (optional)"),
        max_length=10_000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def _clean_name(self, name: str, missing: "str | StrPromise", too_long: "str | StrPromise") -> str:
        value = clean_text(self.cleaned_data[name], 100, too_long)
        if not value:
            raise ValidationError(missing)
        if not all(ch.isalpha() or unicodedata.category(ch).startswith("M") or ch in NAME_PUNCTUATION for ch in value):
            raise ValidationError(_("Names can only have letters, spaces, hyphens and apostrophes"))
        return value

    def clean_given_names(self) -> str:
        return self._clean_name(
            "given_names", _("Enter the given names"), _("Given names must be 100 characters or fewer")
        )

    def clean_family_names(self) -> str:
        return self._clean_name(
            "family_names", _("Enter the family names"), _("Family names must be 100 characters or fewer")
        )

    def clean_date_of_birth(self) -> dt.date:
        return parse_birth_date(self.cleaned_data["date_of_birth"])

    def clean_nationality(self) -> str:
        if not self.cleaned_data["nationality"]:
            raise ValidationError(_("Choose the nationality"))
        return self.cleaned_data["nationality"]

    def clean_sex(self) -> str:
        if not self.cleaned_data["sex"]:
            raise ValidationError(_("Choose the sex"))
        return self.cleaned_data["sex"]

    def clean_relationship(self) -> str:
        if not self.cleaned_data["relationship"]:
            raise ValidationError(_("Choose the relationship to the head of household"))
        return self.cleaned_data["relationship"]

    def clean_languages(self) -> str:
        return clean_text(self.cleaned_data["languages"], 200, _("Languages must be 200 characters or fewer"))

    def clean_needs(self) -> str:
        value = clean_free_text(self.cleaned_data["needs"])
        if len(value) > NEEDS_MAX_LENGTH:
            limit = number_format(NEEDS_MAX_LENGTH, force_grouping=True)
            raise ValidationError(_("Needs must be %(limit)s characters or fewer") % {"limit": limit})
        return value

    def member_data(self) -> MemberData:
        data = self.cleaned_data
        return MemberData(**{name: data[name] for name in MemberData.__dataclass_fields__})


class SingleMemberForm(MemberForm, IdempotentForm):
    """Adding or changing one person on their own page."""


class BaseMemberFormSet(forms.BaseFormSet):
    """Everyone in the household, at most MAX_HOUSEHOLD_SIZE (read when the form is made, so the
    setting is the one rule); more rows than that are refused with the same message as every path.
    Django's other formset refusals are replaced by ours too, in the reader's language."""

    added = False  # set by formset_with_blank_member: the htmx answer to "Add another person" holds a new row

    default_error_messages = {
        "missing_management_form": _(
            "Part of the form did not arrive. Check the people below and send the form again."
        ),
        "too_few_forms": _("Enter at least one person"),
    }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.max_num = self.absolute_max = settings.MAX_HOUSEHOLD_SIZE
        self.error_messages["too_many_forms"] = cap_message()  # type: ignore[attr-defined]  # set by BaseFormSet

    @property
    def full(self) -> bool:
        """No room for another row: the page says so instead of offering "Add another person"."""
        return self.total_form_count() >= self.max_num


MemberFormSet = forms.formset_factory(
    MemberForm,
    formset=BaseMemberFormSet,
    extra=0,
    min_num=1,
    max_num=settings.MAX_HOUSEHOLD_SIZE,
    absolute_max=settings.MAX_HOUSEHOLD_SIZE,
)


def formset_with_blank_member(data, prefix: str = "members") -> BaseMemberFormSet:
    """The same people as typed, plus one empty row (up to the cap): nothing typed is lost."""
    data = data.copy()
    total = data.get(f"{prefix}-TOTAL_FORMS", "")
    total = int(total) if total.isascii() and total.isdigit() else 1
    data[f"{prefix}-TOTAL_FORMS"] = str(min(total + 1, settings.MAX_HOUSEHOLD_SIZE))
    formset = cast(BaseMemberFormSet, MemberFormSet(data, prefix=prefix))
    formset.added = total < settings.MAX_HOUSEHOLD_SIZE
    for form in formset.forms:
        form._errors = ErrorDict()  # shown as typed, not judged yet
    return formset


class VulnerabilityForm(IdempotentForm):
    category = forms.ChoiceField(
        label=_("What is the situation?"),
        choices=VulnerabilityRequest.Category.choices,
        widget=forms.RadioSelect,
        required=False,
    )
    urgency = forms.TypedChoiceField(
        label=_("How urgent is it?"),
        choices=VulnerabilityRequest.Urgency.choices,
        coerce=int,
        widget=forms.RadioSelect,
        required=False,
    )
    description = forms.CharField(
        label=_("Describe it in a few words"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000, required=False
    )

    def clean_category(self) -> str:
        if not self.cleaned_data["category"]:
            raise ValidationError(_("Choose the situation"))
        return self.cleaned_data["category"]

    def clean_urgency(self) -> int:
        if not self.cleaned_data["urgency"]:
            raise ValidationError(_("Choose how urgent it is"))
        return self.cleaned_data["urgency"]

    def clean_description(self) -> str:
        description = clean_free_text(self.cleaned_data["description"])
        if not description:
            raise ValidationError(_("Describe the situation in a few words"))
        return description
