"""Asking for help: the reserved share for a vulnerable case, and sharing the household with an NGO."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from registrations import vulnerability
from registrations.access import HtmxHttpRequest, applicant_required, own_household
from registrations.forms import VulnerabilityForm
from registrations.models import Organisation
from registrations.pages import send_vulnerability_request
from registrations.sharing import organisations_seeing, share_with, stop_sharing
from shared.idempotency import new_key
from shared.pages import error_list, isolate
from shared.personal import no_store


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def vulnerability_request(request: HtmxHttpRequest) -> HttpResponse:
    household = own_household(request)
    if household is None:
        return redirect("household_new")
    waiting = vulnerability.pending(household).first()
    form = VulnerabilityForm(request.POST or None, initial={"idempotency_key": new_key()})
    if request.method == "POST" and form.is_valid():
        url = send_vulnerability_request(request, form, household, reverse("household"))
        if waiting:
            messages.success(
                request, _("Your request was updated. A person will review it. You keep your place in line.")
            )
        else:
            messages.success(request, _("Your request was sent. A person will review it. You keep your place in line."))
        return redirect(url)
    context = {"form": form, "errors": error_list(form), "waiting": waiting}
    return render(request, "registrations/vulnerability_form.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@no_store
@applicant_required
def share(request: HtmxHttpRequest) -> HttpResponse:
    household = own_household(request)
    if household is None:
        return redirect("household_new")
    organisations = Organisation.objects.order_by("name")
    error = ""
    if request.method == "POST":
        choice = request.POST.get("organisation", "")[:12]
        organisation = organisations.filter(pk=int(choice)).first() if choice.isascii() and choice.isdigit() else None
        if organisation is not None:
            share_with(household, organisation)
            messages.success(
                request, _("%(name)s can now see your household and help you.") % {"name": isolate(organisation.name)}
            )
            return redirect("household")
        error = _("Choose the organisation from the list")
    context = {
        "organisations": organisations,
        "links": organisations_seeing(household),
        "errors": [("organisation", error)] if error else [],
        "error": error,
    }
    return render(request, "registrations/share.html", context, status=400 if error else 200)


@require_POST
@applicant_required
def share_stop(request: HtmxHttpRequest) -> HttpResponse:
    """Stop one organisation seeing the household; a second press, or an unknown one, changes nothing."""
    household = own_household(request)
    if household is None:
        return redirect("household_new")
    choice = request.POST.get("organisation", "")
    link = next((link for link in organisations_seeing(household) if str(link.organisation_id) == choice), None)
    if link is not None and stop_sharing(household, link.organisation):
        messages.success(
            request, _("%(name)s can no longer see your household.") % {"name": isolate(link.organisation.name)}
        )
    return redirect("share_household")
