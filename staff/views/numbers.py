"""The lost-phone page: move a household's sign-in to a new phone or email after checking who it is."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shared.addresses import mask_address
from shared.models import AuditAction
from shared.pages import error_list
from shared.personal import no_store
from staff.access import StaffRequest, get_household_for_staff, staff_required
from staff.forms import MoveSigninForm
from staff.numbers import MoveRefused, move_signin


@require_http_methods(["GET", "POST"])
@no_store
@staff_required
def signin_move(request: StaffRequest, reference: str) -> HttpResponse:
    household = get_household_for_staff(request, reference, AuditAction.VIEW_HOUSEHOLD)
    if household.applicant_id is None:
        raise Http404
    form = MoveSigninForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            move_signin(household, data["address"], data["date_of_birth"], data["recovery_code"], request.user)
        except MoveRefused as refusal:
            form.add_error(refusal.field, refusal.message)
        else:
            messages.success(
                request,
                _("Done. The household now signs in with %(address)s, and every other sign-in has ended.")
                % {"address": mask_address(data["address"])},
            )
            return redirect("staff_household", reference=household.reference)
    context = {"household": household, "form": form, "errors": error_list(form)}
    return render(request, "staff/signin_move.html", context, status=400 if form.errors else 200)
