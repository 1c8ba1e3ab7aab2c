"""The check-in page at the port: the officer finds the family, sees what to check, then checks
them in (or an operator overrides a refusal with a reason). Rules live in letters.checkin."""

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from allocation.models import Appointment
from letters import checkin
from registrations.forms import CitaForm
from shared.models import AuditAction, Port
from shared.pages import error_list
from shared.personal import no_store
from staff.access import StaffRequest, audit, operator_required

PORT_KEY = "check_in_port"


class CheckInForm(CitaForm):
    port = forms.ModelChoiceField(
        Port.objects.all(),
        label=gettext_lazy("Your port of entry"),
        required=False,
        empty_label=gettext_lazy("Choose your port"),
    )
    code = forms.CharField(
        label=gettext_lazy("Reference or the code from the letter's QR"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        required=False,
    )
    override = forms.CharField(
        label=gettext_lazy("Reason to check in anyway (recorded in the audit log)"), max_length=200, required=False
    )

    def clean_port(self) -> Port:
        if self.cleaned_data["port"] is None:
            raise forms.ValidationError(gettext_lazy("Choose the port where you are"))
        return self.cleaned_data["port"]

    def clean_code(self) -> str:
        if not self.cleaned_data["code"].strip():
            raise forms.ValidationError(gettext_lazy("Enter the reference or scan the letter's code"))
        return self.cleaned_data["code"].strip()


@require_http_methods(["GET", "POST"])
@no_store
@operator_required
def check_in(request: StaffRequest) -> HttpResponse:
    """First "Find": what the officer must check; then "Check in", refused with reasons unless overridden."""
    form = CheckInForm(request.POST or None, initial={"port": request.session.get(PORT_KEY)})
    appointment: Appointment | None = None
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        port = form.cleaned_data["port"]
        request.session[PORT_KEY] = port.pk
        found = checkin.find(form.cleaned_data["code"])
        appointment, problems = found.appointment, found.problems
        if appointment is not None:
            audit(request, AuditAction.VIEW_AT_CHECK_IN, appointment.household)
            problems = checkin.problems(appointment, port, timezone.now())
            if "confirm" in request.POST:
                try:
                    checkin.check_in(appointment, port, request.user, override=form.cleaned_data["override"])
                except checkin.CheckInRefused as refused:
                    problems = refused.problems
                    if problems and not form.cleaned_data["override"]:
                        form.add_error("override", _("Enter the reason to check in anyway, or send the family away"))
                else:
                    people = appointment.people
                    ref = appointment.household.reference
                    messages.success(request, _("Checked in: %(ref)s. People: %(n)d.") % {"ref": ref, "n": people})
                    return redirect("staff_check_in")
    context = {
        "form": form,
        "errors": error_list(form),
        "appointment": appointment,
        "members": appointment.household.members.filter(is_active=True) if appointment else [],
        "problems": problems,
    }
    turned_away = bool(form.errors) or ("confirm" in request.POST and bool(problems))
    return render(request, "letters/check_in.html", context, status=400 if turned_away else 200)
