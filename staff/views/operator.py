"""Operator pages: review queues, the person-move tool and the audit log."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registrations import probes, vulnerability
from registrations.households import HouseholdFull, MembersLocked, cap_message
from registrations.models import Household, Member, VulnerabilityRequest
from shared.models import AuditAction, AuditEntry
from shared.pages import error_list
from shared.personal import no_store
from staff import services
from staff.access import StaffRequest, audit, operator_required
from staff.forms import DecisionForm, ReferenceForm


@require_GET
@no_store
@operator_required
def vulnerability_queue(request: StaffRequest) -> HttpResponse:
    pending = (
        VulnerabilityRequest.objects.filter(status=VulnerabilityRequest.Status.REQUESTED)
        .select_related("household")
        .order_by("urgency", "household__registered_at")
    )
    return render(request, "staff/vulnerability_queue.html", {"pending": pending, "form": DecisionForm(), "errors": []})


@require_POST
@operator_required
def vulnerability_decide(request: StaffRequest, pk: int) -> HttpResponse:
    pending = get_object_or_404(VulnerabilityRequest.objects.select_related("household"), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        for _field, message in error_list(form):
            messages.error(request, message)
        return redirect("staff_vulnerability_queue")
    approve = form.cleaned_data["decision"] == "approve"
    if vulnerability.decide(pending, approve, form.cleaned_data["reason"], request.user):
        messages.success(request, _("Decision saved."))
    return redirect("staff_vulnerability_queue")


@require_GET
@no_store
@operator_required
def reuse_queue(request: StaffRequest) -> HttpResponse:
    kind, index = request.GET.get("kind", ""), request.GET.get("index", "")[:64]
    households = services.households_using(kind, index) if index else Household.objects.none()
    for household in households:
        audit(request, AuditAction.REVIEW_REUSE, household, kind=kind)
    context = {"patterns": services.reuse_patterns(), "households": households, "kind": kind, "index": index}
    context["probing"] = probes.probing_accounts()
    return render(request, "staff/reuse_queue.html", context)


@require_http_methods(["GET", "POST"])
@no_store
@operator_required
def member_move(request: StaffRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(Member.objects.select_related("household"), pk=pk, is_active=True)
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        target = Household.objects.filter(reference=form.cleaned_data["reference"]).first()
        if target is None:
            form.add_error("reference", _("No household has this reference. Check it and try again."))
        else:
            try:
                services.move_member(member, target, request.user)
            except MembersLocked:
                form.add_error("reference", _("One of the households has a fixed appointment. Cancel it first."))
            except HouseholdFull:
                form.add_error("reference", cap_message())
            else:
                messages.success(request, _("Person moved."))
                return redirect("staff_household", reference=target.reference)
    audit(request, AuditAction.VIEW_PERSON_TO_MOVE, member.household)
    context = {"member": member, "form": form, "errors": error_list(form)}
    return render(request, "staff/member_move.html", context, status=400 if form.errors else 200)


@require_GET
@no_store
@operator_required
def audit_log(request: StaffRequest) -> HttpResponse:
    reference = request.GET.get("reference", "").strip().upper()
    entries = AuditEntry.objects.select_related("actor")
    if reference:
        entries = entries.filter(household_reference=reference)
    return render(request, "staff/audit_log.html", {"entries": entries[:200], "reference": reference})
