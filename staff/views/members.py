"""NGO staff add, change and remove the people of a household their organisation may see."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from registrations.forms import SingleMemberForm
from registrations.households import DuplicatePerson, HouseholdFull, MembersLocked, cap_message
from registrations.models import Household, Member
from registrations.pages import DUPLICATE_ELSEWHERE, DUPLICATE_REPEATED
from shared.idempotency import new_key, payload_hash
from shared.models import AuditAction
from shared.pages import error_list, post_items
from shared.personal import no_store
from staff import members
from staff.access import StaffRequest, get_household_for_staff, staff_required


def _locked(household: Household, request: StaffRequest) -> HttpResponse:
    messages.error(request, _("People cannot be changed now that an appointment is fixed."))
    return redirect("staff_household", reference=household.reference)


def _member(household: Household, pk: int) -> Member:
    return get_object_or_404(Member, pk=pk, household=household, is_active=True)


def _form_page(request: StaffRequest, household: Household, form, title: str, full: str = "") -> HttpResponse:
    context = {"household": household, "form": form, "errors": error_list(form), "title": title, "full": full}
    return render(request, "staff/member_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def member_add(request: StaffRequest, reference: str) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    if not household.can_add_members:
        return _locked(household, request)
    form = SingleMemberForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        key, sent = form.cleaned_data["idempotency_key"] or new_key(), payload_hash(post_items(request))
        try:
            url = members.add_member(household, form.member_data(), request.user, key, sent)
        except DuplicatePerson as duplicate:
            form.add_error("given_names", DUPLICATE_ELSEWHERE if duplicate.elsewhere else DUPLICATE_REPEATED)
        except HouseholdFull:
            form.add_error(None, cap_message())
        except MembersLocked:
            return _locked(household, request)
        else:
            messages.success(request, _("Person added."))
            return redirect(url)
    full = cap_message() if household.size >= settings.MAX_HOUSEHOLD_SIZE and not form.is_bound else ""
    return _form_page(request, household, form, _("Add a person"), full)


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def member_change(request: StaffRequest, reference: str, pk: int) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    member = _member(household, pk)
    if not household.can_change_members:
        return _locked(household, request)
    initial = {name: getattr(member, name) for name in SingleMemberForm.base_fields if hasattr(member, name)}
    initial.update(date_of_birth=member.date_of_birth.isoformat(), idempotency_key=new_key())
    form = SingleMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        key, sent = form.cleaned_data["idempotency_key"] or new_key(), payload_hash(post_items(request))
        try:
            url = members.change_member(member, form.member_data(), request.user, key, sent)
        except DuplicatePerson:
            form.add_error("given_names", DUPLICATE_ELSEWHERE)
        except MembersLocked:
            return _locked(household, request)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(url)
    return _form_page(request, household, form, _("Change this person's details"))


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def member_remove(request: StaffRequest, reference: str, pk: int) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    member = _member(household, pk)
    if not household.can_change_members:
        return _locked(household, request)
    if household.size <= 1:
        messages.error(
            request, _("A household needs at least one person. Add someone else before removing this person.")
        )
        return redirect("staff_household", reference=household.reference)
    if request.method == "POST":
        try:
            url = members.remove_member(member, request.user, request.POST.get("idempotency_key") or new_key())
        except MembersLocked:
            return _locked(household, request)
        messages.success(request, _("Person removed."))
        return redirect(url)
    context = {"household": household, "member": member, "idempotency_key": new_key()}
    return render(request, "staff/member_remove.html", context)
