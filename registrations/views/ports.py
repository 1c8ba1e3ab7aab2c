"""The far-port warning: shown before an applicant confirms a port far from where they are."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from registrations.forms import HouseholdDetailsForm
from registrations.pages import port_warning_context


@require_GET
def port_warning(request: HttpRequest) -> HttpResponse:
    """The warning fragment for htmx when the place or port changes (the form shows it on submit too)."""
    form = HouseholdDetailsForm(
        {
            "current_place": request.GET.get("current_place", ""),
            "preferred_port": request.GET.get("preferred_port", ""),
            "language": "en",
        }
    )
    context = port_warning_context(form) if form.is_valid() else {"far_km": None}
    return render(request, "registrations/_port_warning.html", context)
