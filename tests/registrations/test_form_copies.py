"""Each form gets its own copy of its class's fields (registrations/forms.py, FieldsCopiedQuickly): what a
form changes on its fields (messages, widget attributes, validators) never shows on another form or on the
next request, and a model choice never shares its queryset, so a list read for one form is not kept."""

import pytest
from django import forms

from registrations.forms import CitaForm, HouseholdDetailsForm, MemberForm


def test_a_form_changing_its_fields_changes_nothing_for_the_next_form():
    first = MemberForm(prefix="members-0")
    first.fields["given_names"].widget.attrs["data-x"] = "1"
    first.fields["given_names"].error_messages["required"] = "changed"
    first.fields["given_names"].validators.append(lambda value: None)
    first.fields["nationality"].widget.attrs["data-y"] = "2"
    second = MemberForm(prefix="members-1")
    for field in ("given_names", "nationality"):
        assert "data-x" not in second.fields[field].widget.attrs and "data-y" not in second.fields[field].widget.attrs
        assert second.fields[field] is not MemberForm.base_fields[field]
        assert second.fields[field].widget is not MemberForm.base_fields[field].widget
    assert second.fields["given_names"].error_messages.get("required") != "changed"
    assert len(second.fields["given_names"].validators) == len(MemberForm.base_fields["given_names"].validators)
    assert "data-x" not in MemberForm.base_fields["given_names"].widget.attrs


def test_every_kind_of_field_is_copied_as_django_copies_it():
    class Everything(CitaForm):
        text = forms.CharField()
        choice = forms.ChoiceField(choices=[("a", "A")])
        multiple = forms.SplitDateTimeField()

    one, two = Everything(), Everything()
    one.fields["choice"].choices = [("b", "B")]
    assert list(two.fields["choice"].choices) == [("a", "A")]
    one.fields["multiple"].fields[0].widget.attrs["x"] = "1"
    assert "x" not in two.fields["multiple"].fields[0].widget.attrs
    assert one.fields["text"].widget is not two.fields["text"].widget


@pytest.mark.django_db
def test_a_model_choice_reads_its_list_for_each_form():
    one, two = HouseholdDetailsForm(), HouseholdDetailsForm()
    assert one.fields["current_place"].queryset is not two.fields["current_place"].queryset
    assert one.fields["preferred_port"].queryset is not two.fields["preferred_port"].queryset
    one.fields["current_place"].widget.attrs["data-z"] = "3"
    assert "data-z" not in two.fields["current_place"].widget.attrs
