"""What the applicant's pages and the NGO's assisted-registration pages share: the duplicate
messages, the filled member forms, the far-port warning and sending a request for help.
Views of both apps import this module; it is not a view itself."""

from django.http import HttpRequest
from django.utils.translation import gettext_lazy

from registrations import vulnerability
from registrations.forms import HouseholdDetailsForm, VulnerabilityForm
from registrations.geography import distance_km
from registrations.households import DuplicatePerson
from registrations.models import Household, Place
from shared.idempotency import new_key, payload_hash
from shared.models import Port
from shared.pages import post_items

DUPLICATE_ELSEWHERE = gettext_lazy(
    "This person is already registered in another household. Nothing you typed is lost. "
    "To move them into this household, ask for them to be moved, or contact an NGO for help."
)
DUPLICATE_REPEATED = gettext_lazy("You have entered this person twice. Remove one of them.")


def show_duplicates(forms_: list, duplicate: DuplicatePerson) -> None:
    """Put the duplicate message beside each person it concerns; everything typed stays in the form."""
    for i in duplicate.elsewhere:
        forms_[i].add_error("given_names", DUPLICATE_ELSEWHERE)
    for i in duplicate.repeated:
        forms_[i].add_error("given_names", DUPLICATE_REPEATED)


def filled_member_forms(formset) -> list:
    """The filled-in member forms: a blank row added by mistake is ignored."""
    return [form for i, form in enumerate(formset.forms) if i == 0 or form.has_changed()]


def send_vulnerability_request(request: HttpRequest, form: VulnerabilityForm, household: Household, done: str) -> str:
    """The one way a request for the reserved share is sent, by the household or by an NGO."""
    data = form.cleaned_data
    return vulnerability.request_review(
        household,
        data["category"],
        data["description"],
        data["urgency"],
        key=data["idempotency_key"] or new_key(),
        request_hash=payload_hash(post_items(request)),
        result_url=done,
    )


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
