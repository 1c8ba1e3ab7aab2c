"""Staff pages for letters: ask for an exemption letter, the operators' queue to decide, a
household's letters (print, withdraw). Views bind the form and call one domain function."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from letters import exemptions, issue, validity
from letters.models import ExemptionRequest, Letter
from letters.views import letter_context
from registrations.forms import CitaForm, IdempotentForm
from shared.idempotency import new_key, payload_hash, sent_key
from shared.models import AuditAction
from shared.pages import error_list, post_items
from shared.personal import no_store
from staff.access import StaffRequest, audit, get_household_for_staff, households_for, operator_required, staff_required
from staff.forms import DecisionForm

CASES = [c for c in Letter.Case.choices if c[0]]


class ExemptionForm(IdempotentForm):
    case = forms.ChoiceField(
        label=gettext_lazy("Which case does the rule exempt?"), choices=CASES, widget=forms.RadioSelect, required=False
    )

    def clean_case(self) -> str:
        if not self.cleaned_data["case"]:
            raise forms.ValidationError(gettext_lazy("Choose the case"))
        return self.cleaned_data["case"]


class RevokeForm(CitaForm):
    reason = forms.CharField(label=gettext_lazy("Why is the letter withdrawn?"), max_length=500, required=False)

    def clean_reason(self) -> str:
        if not self.cleaned_data["reason"].strip():
            raise forms.ValidationError(gettext_lazy("Enter why the letter is withdrawn"))
        return self.cleaned_data["reason"].strip()


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def exemption(request: StaffRequest, reference: str) -> HttpResponse:
    """Ask for a letter of exemption; the rule is checked now and again when an operator decides."""
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    form = ExemptionForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        resend = sent_key(request.POST), payload_hash([*post_items(request), ("household", household.reference)])
        try:
            exemptions.request_letter(household, form.cleaned_data["case"], request.user, *resend)
        except exemptions.ExemptionRefused as refused:
            for problem in refused.problems:
                form.add_error("case", problem)
        else:
            messages.success(request, _("Request sent. An operator must approve it before the letter is signed."))
            return redirect("staff_household_letters", reference=household.reference)
    context = {"household": household, "form": form, "errors": error_list(form)}
    return render(request, "letters/exemption_form.html", context, status=400 if form.errors else 200)


@require_GET
@no_store
@staff_required
def household_letters(request: StaffRequest, reference: str) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    letters = household.letters.select_related("appointment").order_by("-issued_at")
    rows = [{"letter": letter, "ended": validity.ended(letter)} for letter in letters]
    context = {
        "household": household,
        "rows": rows,
        "requests": household.exemption_requests.order_by("-requested_at"),
        "reasons": validity.REASONS,
        "form": RevokeForm(),
    }
    return render(request, "letters/household_letters.html", context)


def _letter_for_staff(request: StaffRequest, pk: int) -> Letter:
    letter = get_object_or_404(Letter.objects.select_related("household"), pk=pk)
    if not households_for(request.staff).filter(pk=letter.household_id).exists():
        raise Http404
    return letter


@require_GET
@no_store
@staff_required
def staff_letter(request: StaffRequest, pk: int) -> HttpResponse:
    """The printable letter, for the NGO that helps the family or an operator."""
    letter = _letter_for_staff(request, pk)
    audit(request, AuditAction.VIEW_LETTER, letter.household, letter=letter.serial or letter.pk)
    return render(request, "letters/letter.html", letter_context(letter))


@require_POST
@operator_required
def revoke(request: StaffRequest, pk: int) -> HttpResponse:
    letter = _letter_for_staff(request, pk)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        for _field, message in error_list(form):
            messages.error(request, message)
    elif issue.revoke(letter, request.user, form.cleaned_data["reason"]):
        messages.success(request, _("Letter withdrawn. Checking it now says NO LONGER VALID."))
    return redirect("staff_household_letters", reference=letter.household.reference)


@require_GET
@no_store
@operator_required
def exemption_queue(request: StaffRequest) -> HttpResponse:
    pending = ExemptionRequest.objects.filter(status=ExemptionRequest.Status.REQUESTED).select_related(
        "household", "requested_by"
    )
    rows = [{"request": r, "problems": exemptions.missing(r.household, r.case)} for r in pending]
    return render(request, "letters/exemption_queue.html", {"rows": rows, "form": DecisionForm()})


@require_POST
@operator_required
def exemption_decide(request: StaffRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(ExemptionRequest.objects.select_related("household"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for _field, message in error_list(form):
            messages.error(request, message)
        return redirect("staff_exemption_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        letter = exemptions.decide(pending, request.user, approve, form.cleaned_data["reason"])
    except exemptions.ExemptionRefused as refused:
        for problem in refused.problems:
            messages.error(request, problem)
        return redirect("staff_exemption_queue")
    messages.success(request, _("Approved: the letter is signed.") if letter else _("Decision saved."))
    return redirect("staff_exemption_queue")
