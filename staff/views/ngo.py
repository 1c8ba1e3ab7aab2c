"""NGO pages: assisted registration, households of the organisation, vulnerability requests."""

from django.conf import settings
from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import HttpResponseClientRedirect

from registrations import vulnerability
from registrations.forms import HouseholdDetailsForm, MemberFormSet, VulnerabilityForm, formset_with_blank_member
from registrations.households import DuplicatePerson, HouseholdFull, cap_message
from registrations.pages import filled_member_forms, port_warning_context, send_vulnerability_request, show_duplicates
from shared.idempotency import new_key, payload_hash
from shared.models import AuditAction
from shared.pages import error_list, post_items
from shared.personal import no_store
from staff import services
from staff.access import StaffRequest, get_household_for_staff, households_for, staff_required
from staff.forms import ReferenceForm
from staff.models import Notice

SLIP_CODES = "assisted_slip_codes"


@require_GET
@no_store
@staff_required
def home(request: StaffRequest) -> HttpResponse:
    form = ReferenceForm(request.GET or None)
    if request.GET and form.is_valid():
        return redirect("staff_household", reference=form.cleaned_data["reference"])
    households = households_for(request.staff).order_by("-registered_at")[:50]
    notices = Notice.objects.filter(takes_effect_on__gte=timezone.localdate())
    context = {"form": form, "errors": error_list(form), "households": households, "notices": notices}
    return render(request, "staff/home.html", context)


@require_http_methods(["GET", "POST"])
@no_store
@vary_on_headers("HX-Request")
@staff_required
def household_new(request: StaffRequest) -> HttpResponse:
    """Register a whole household for people with no phone (NGO staff only): the applicant's form and rules."""
    if request.staff.organisation is None:
        return redirect("staff_home")
    details = HouseholdDetailsForm(request.POST or None, initial={"idempotency_key": new_key(), "language": "es"})
    formset = MemberFormSet(request.POST or None, prefix="members")
    if "add_member" in request.POST:
        details._errors = ErrorDict()  # type: ignore[attr-defined]  # shown as typed, not judged yet
        context = {"details": details, "formset": formset_with_blank_member(request.POST), "errors": []}
        template = "registrations/_member_added.html" if request.htmx else "staff/household_new.html"
        return render(request, template, context)
    if request.method == "POST" and details.is_valid() and formset.is_valid() and not details.far_port_km():
        forms_ = filled_member_forms(formset)
        try:
            result = services.register_without_phone(
                request.staff.organisation,
                request.user,
                details.details(),
                [f.member_data() for f in forms_],
                key=details.cleaned_data["idempotency_key"] or new_key(),
                request_hash=payload_hash(post_items(request)),
            )
        except DuplicatePerson as duplicate:
            show_duplicates(forms_, duplicate)
        except HouseholdFull:
            formset._non_form_errors.append(cap_message())  # type: ignore[attr-defined]
        else:
            if not isinstance(result, str):
                request.session[SLIP_CODES] = {result.reference: result.recovery_codes}
            reference = result if isinstance(result, str) else result.reference
            url = reverse("staff_slip", kwargs={"reference": reference})
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    errors = error_list(details, formset) if request.method == "POST" else []
    context = {"details": details, "formset": formset, "errors": errors, **port_warning_context(details)}
    return render(request, "staff/household_new.html", context, status=400 if errors else 200)


@require_GET
@no_store
@staff_required
def slip(request: StaffRequest, reference: str) -> HttpResponse:
    """The paper slip: reference and recovery codes, printed once for the person to keep."""
    household = get_household_for_staff(request, reference, AuditAction.PRINT_SLIP)
    codes = request.session.pop(SLIP_CODES, {}).get(reference, [])
    return render(request, "staff/slip.html", {"household": household, "codes": codes})


@require_GET
@no_store
@staff_required
def household(request: StaffRequest, reference: str) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    context = {
        "household": household,
        "members": household.members.filter(is_active=True),
        "requests": household.vulnerability_requests.order_by("-requested_at"),
        "full": cap_message() if household.size >= settings.MAX_HOUSEHOLD_SIZE else "",
    }
    return render(request, "staff/household.html", context)


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def vulnerability_new(request: StaffRequest, reference: str) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.OPEN_VULNERABILITY_REQUEST)
    form = VulnerabilityForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        url = send_vulnerability_request(request, form, household, f"/staff/households/{household.reference}")
        messages.success(request, _("Request sent. An operator will review it."))
        return redirect(url)
    waiting = vulnerability.pending(household).first()
    context = {"household": household, "form": form, "errors": error_list(form), "waiting": waiting}
    return render(request, "staff/vulnerability_form.html", context, status=400 if form.errors else 200)
