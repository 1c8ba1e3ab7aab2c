"""The operators' security page: sign-ins strangers are trying, and staff accounts locked."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from registrations.models import SecurityAlert
from shared.models import AuditAction
from shared.personal import no_store
from staff import signin
from staff.access import StaffRequest, audit, operator_required

ALERT_DAYS = 7


@require_GET
@no_store
@operator_required
def security(request: StaffRequest) -> HttpResponse:
    """Phones and households under attack in the last week, so someone can reach the family."""
    alerts = SecurityAlert.objects.filter(created_at__gte=timezone.now() - dt.timedelta(days=ALERT_DAYS))
    audit(request, AuditAction.VIEW_SECURITY)
    context = {"alerts": alerts.order_by("-created_at")[:200], "locked": signin.locked_accounts(), "days": ALERT_DAYS}
    return render(request, "staff/security.html", context)


@require_POST
@operator_required
def unlock(request: StaffRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(get_user_model(), pk=pk)
    signin.unlock(request.user, account)
    messages.success(request, _("%(username)s can sign in again.") % {"username": account.get_username()})
    return redirect("staff_security")
