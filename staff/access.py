"""Who may see which household, decided in one place, and the audit entry for every look."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from registrations.models import Household
from shared.audit import record
from shared.models import AuditAction
from staff.models import StaffProfile


class StaffRequest(HttpRequest):
    """A request past staff_required, as type checkers should see it: a signed-in, verified user
    and their staff profile (the decorator sets it), with django-htmx's details."""

    user: User
    staff: StaffProfile
    htmx: HtmxDetails


def staff_profile(request: HttpRequest) -> StaffProfile | None:
    user = request.user
    if not user.is_authenticated or not user.is_verified():  # type: ignore[attr-defined]  # django-otp adds it
        return None
    return StaffProfile.objects.select_related("organisation").filter(user=user).first()


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in with password and second factor, with a staff role; otherwise to the sign-in page."""

    @wraps(view)
    def wrapper(request: StaffRequest, *args, **kwargs) -> HttpResponse:
        profile = staff_profile(request)
        if profile is None:
            return redirect(f"/staff/login?next={request.path}")
        request.staff = profile
        return view(request, *args, **kwargs)

    return wrapper


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    @staff_required
    def wrapper(request: StaffRequest, *args, **kwargs) -> HttpResponse:
        if not request.staff.is_operator:
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def households_for(profile: StaffProfile):
    """Operators see every household; NGO staff only those linked to their organisation."""
    if profile.is_operator:
        return Household.objects.all()
    return Household.objects.filter(organisation_links__organisation=profile.organisation)


def audit(request: StaffRequest, action: AuditAction, household: Household | None = None, **values: object) -> None:
    """A look by the signed-in staff member; changes are recorded by their domain function instead."""
    record(request.user, action, household, **values)


def get_household_for_staff(request: StaffRequest, reference: str, action: AuditAction) -> Household:
    """The household if this person may see it (else 404), with the look written to the audit log."""
    household = households_for(request.staff).filter(reference=reference).select_related("preferred_port").first()
    if household is None:
        raise Http404
    audit(request, action, household)
    return household
