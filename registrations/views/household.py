"""Household pages: register everyone at once, then see, add, change or remove people."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from registrations import households, probes
from registrations.access import HtmxHttpRequest, SignedInRequest, applicant_required, own_household
from registrations.forms import HouseholdDetailsForm, MemberFormSet, SingleMemberForm, formset_with_blank_member
from registrations.households import DuplicatePerson, HouseholdFull, MembersLocked, cap_message
from registrations.models import Member
from registrations.pages import (
    DUPLICATE_ELSEWHERE,
    DUPLICATE_REPEATED,
    filled_member_forms,
    port_warning_context,
    show_duplicates,
)
from shared.idempotency import earlier_result, new_key, payload_hash, sent_key
from shared.pages import error_list, post_items
from shared.personal import no_store
from shared.ratelimit import rate_limit

PROBE_LIMIT = gettext_lazy(
    "Some of these people may already be registered, but this phone has checked many people today. "
    "Nothing you typed is lost. Ask an NGO for help: they can look at it with you."
)


def _own_member(request: HtmxHttpRequest, pk: int) -> Member:
    """Only a member of the signed-in applicant's household; anything else is a 404."""
    return get_object_or_404(Member, pk=pk, household__applicant=request.applicant, is_active=True)


def _done(request: HtmxHttpRequest, url: str) -> HttpResponse:
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _locked(request: HtmxHttpRequest) -> HttpResponse:
    messages.error(request, _("People cannot be changed now that an appointment is fixed. Ask an NGO for help."))
    return redirect("household")


def may_tell(request: SignedInRequest, forms_: list, duplicate: DuplicatePerson) -> bool:
    """An applicant is told who is registered elsewhere only within the daily limit (registrations.probes)."""
    keys = [forms_[i].member_data().key for i in duplicate.elsewhere]
    return not keys or probes.may_tell(request, request.applicant, keys)


@require_http_methods(["GET", "POST"])
@no_store
@vary_on_headers("HX-Request")
@applicant_required
@rate_limit("register", counted=lambda request: "add_member" not in request.POST)
def household_new(request: SignedInRequest) -> HttpResponse:
    if own_household(request) is not None:
        # The resend of the submit that registered it gets the answer the first one got.
        key = _sent_key(request)
        earlier = key and earlier_result(households.registration_scope(request.applicant), key)
        return redirect(earlier or "household")
    if request.method == "GET":
        details = HouseholdDetailsForm(initial={"idempotency_key": new_key(), "language": get_language()})
        formset = MemberFormSet(prefix="members")
        return _render_new(request, details, formset, [])
    details = HouseholdDetailsForm(request.POST)
    formset = MemberFormSet(request.POST, prefix="members")
    if "add_member" in request.POST:
        formset = formset_with_blank_member(request.POST)
        template = "registrations/_member_added.html" if request.htmx else None
        details._errors = ErrorDict()  # type: ignore[attr-defined]
        return _render_new(request, details, formset, [], template=template)
    if details.is_valid() and formset.is_valid() and not details.far_port_km():
        forms_ = filled_member_forms(formset)
        try:
            url = households.register_household(
                request.applicant,
                details.details(),
                [form.member_data() for form in forms_],
                key=details.cleaned_data["idempotency_key"] or new_key(),
                request_hash=payload_hash(post_items(request)),
            )
        except DuplicatePerson as duplicate:
            if may_tell(request, forms_, duplicate):
                show_duplicates(forms_, duplicate)
            else:  # which person is registered is not said; a person typed twice still is
                formset._non_form_errors.append(PROBE_LIMIT)  # type: ignore[attr-defined]
                show_duplicates(forms_, DuplicatePerson(repeated=duplicate.repeated))
        except HouseholdFull:
            formset._non_form_errors.append(cap_message())  # type: ignore[attr-defined]
        else:
            return _done(request, url)
    status = 400 if error_list(details, formset) else 200
    return _render_new(request, details, formset, error_list(details, formset), status=status)


def _sent_key(request: HtmxHttpRequest) -> str:
    """The resend key as the form accepts it, or "" (a NUL byte or an overlong value is not a key)."""
    try:
        return HouseholdDetailsForm.base_fields["idempotency_key"].clean(request.POST.get("idempotency_key", ""))
    except ValidationError:
        return ""


def _render_new(request: HtmxHttpRequest, details, formset, errors, template=None, status=200) -> HttpResponse:
    context = {"details": details, "formset": formset, "errors": errors, **port_warning_context(details)}
    return render(request, template or "registrations/household_new.html", context, status=status)


@require_GET
@applicant_required
def household_registered(request: HtmxHttpRequest) -> HttpResponse:
    own = own_household(request)
    if own is None:
        return redirect("household_new")
    return render(request, "registrations/household_registered.html", {"household": own})


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def member_add(request: SignedInRequest) -> HttpResponse:
    own = own_household(request)
    if own is None:
        return redirect("household_new")
    if not own.can_add_members:
        return _locked(request)
    form = SingleMemberForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        try:
            url = households.add_member(
                own,
                form.member_data(),
                form.cleaned_data["idempotency_key"] or new_key(),
                payload_hash(post_items(request)),
            )
        except DuplicatePerson as duplicate:
            if not may_tell(request, [form], duplicate):
                form.add_error(None, PROBE_LIMIT)
            else:
                form.add_error("given_names", DUPLICATE_ELSEWHERE if duplicate.elsewhere else DUPLICATE_REPEATED)
        except HouseholdFull:
            form.add_error(None, cap_message())
        except MembersLocked:
            return _locked(request)
        else:
            messages.success(request, _("Person added."))
            return _done(request, url)
    status = 400 if form.errors else 200
    # Said before anything is typed: the household already has as many people as it may.
    full = cap_message() if own.size >= settings.MAX_HOUSEHOLD_SIZE and not form.is_bound else ""
    context = {"form": form, "errors": error_list(form), "title": _("Add a person"), "full": full}
    return render(request, "registrations/member_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def member_change(request: SignedInRequest, pk: int) -> HttpResponse:
    member = _own_member(request, pk)
    if not member.household.can_change_members:
        return _locked(request)
    initial = {name: getattr(member, name) for name in SingleMemberForm.base_fields if hasattr(member, name)}
    initial["date_of_birth"] = member.date_of_birth.isoformat()
    initial["idempotency_key"] = new_key()
    form = SingleMemberForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            url = households.change_member(
                member,
                form.member_data(),
                form.cleaned_data["idempotency_key"] or new_key(),
                payload_hash(post_items(request)),
            )
        except DuplicatePerson:
            told = may_tell(request, [form], DuplicatePerson(elsewhere=[0]))
            form.add_error("given_names" if told else None, DUPLICATE_ELSEWHERE if told else PROBE_LIMIT)
        except MembersLocked:
            return _locked(request)
        else:
            messages.success(request, _("Changes saved."))
            return _done(request, url)
    status = 400 if form.errors else 200
    context = {"form": form, "errors": error_list(form), "title": _("Change this person's details"), "member": member}
    return render(request, "registrations/member_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def member_remove(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    member = _own_member(request, pk)
    if not member.household.can_change_members:
        return _locked(request)
    if member.household.size <= 1:
        messages.error(
            request, _("A household needs at least one person. Add someone else before removing this person.")
        )
        return redirect("household")
    if request.method == "POST":
        try:
            url = households.remove_member(member, sent_key(request.POST))
        except MembersLocked:
            return _locked(request)
        messages.success(request, _("Person removed."))
        return _done(request, url)
    return render(request, "registrations/member_remove.html", {"member": member, "idempotency_key": new_key()})


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def details_change(request: HtmxHttpRequest) -> HttpResponse:
    own = own_household(request)
    if own is None:
        return redirect("household_new")
    initial = {
        "current_place": own.current_place_id,
        "preferred_port": own.preferred_port_id,
        "contact_phone": own.contact_phone,
        "contact_email": own.contact_email,
        "language": own.language,
        "idempotency_key": new_key(),
    }
    form = HouseholdDetailsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and not form.far_port_km():
        url = households.change_details(
            own,
            form.details(),
            form.cleaned_data["idempotency_key"] or new_key(),
            payload_hash(post_items(request)),
        )
        messages.success(request, _("Changes saved."))
        return _done(request, url)
    status = 400 if form.errors else 200
    context = {"form": form, "errors": error_list(form), **port_warning_context(form)}
    return render(request, "registrations/details_form.html", context, status=status)
