"""The far-port warning: shown before an applicant confirms a port far from where they are."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from registrations.forms import HouseholdDetailsForm
from registrations.geography import distance_km
from registrations.models import Place
from shared.models import Port


def port_warning_context(form: HouseholdDetailsForm) -> dict:
    """What the warning partial needs, for a bound and validated details form."""
    if not form.is_bound or form.errors:
        return {"far_km": None}
    far_km = form.far_port_km()
    if far_km is None:
        return {"far_km": None}
    place, port = form.cleaned_data["current_place"], form.cleaned_data["preferred_port"]
    return {"far_km": far_km, "far_port": port, "far_place": place, "nearest_port": nearest_port(place)}


def nearest_port(place: Place) -> Port | None:
    ports = Port.objects.filter(accepts_requests=True)
    return min(
        ports,
        key=lambda p: distance_km(float(place.latitude), float(place.longitude), float(p.latitude), float(p.longitude)),
        default=None,
    )


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
