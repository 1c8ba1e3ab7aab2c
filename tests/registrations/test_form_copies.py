"""Each form gets its own copy of its class's fields (registrations/forms.py, FieldsCopiedQuickly): what a
form changes on its fields (messages, widget attributes, validators) never shows on another form or on the
next request, and a model choice's list is read anew for each form, never kept."""

import pytest
from django import forms

from registrations.forms import CitaForm, HouseholdDetailsForm, MemberForm
from registrations.models import Place
from shared.models import Port


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
def test_a_model_choice_reads_its_list_for_each_form(matamoros, brownsville):
    """The place and port fields share their queryset (ChosenByKeyField), so it must never keep rows: a form
    that showed the list leaves nothing behind, and a place or port changed a moment ago shows on the next form."""
    one = HouseholdDetailsForm()
    shown = str(one["current_place"]) + str(one["preferred_port"])
    assert "Matamoros" in shown and brownsville.name in shown
    Place.objects.create(
        state_code="TAM", state_name=matamoros.state_name, name="Nuevo Lugar", latitude=25, longitude=-97
    )
    Port.objects.filter(pk=brownsville.pk).update(name="Puerto Renombrado")
    two = HouseholdDetailsForm()
    shown = str(two["current_place"]) + str(two["preferred_port"])
    assert "Nuevo Lugar" in shown and "Puerto Renombrado" in shown
    for name in ("current_place", "preferred_port"):
        assert HouseholdDetailsForm.base_fields[name].queryset._result_cache is None  # type: ignore[attr-defined]
        assert two.fields[name].widget.choices.field is two.fields[name]  # type: ignore[attr-defined]
    one.fields["current_place"].widget.attrs["data-z"] = "3"
    one.fields["current_place"].empty_label = "changed"
    assert "data-z" not in two.fields["current_place"].widget.attrs
    assert "changed" not in str(two["current_place"])
