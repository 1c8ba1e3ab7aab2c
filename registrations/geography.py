"""Distances between where an applicant is and the port they choose, and where requests
may be made from (the geofence, kept by operators as data)."""

import datetime as dt
import math
from functools import lru_cache

from django.conf import settings
from django.db.models import Exists, OuterRef, QuerySet

from registrations.models import Place, RequestRegion
from shared.models import Port

EARTH_RADIUS_KM = 6371.0


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance; roads are longer, so the warning errs on the side of caution."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def far_port_distance(place: Place, port: Port) -> int | None:
    """The distance in km, rounded to 10, when the port is farther than FAR_PORT_KM; else None."""
    km = distance_km(float(place.latitude), float(place.longitude), float(port.latitude), float(port.longitude))
    if km <= settings.FAR_PORT_KM:
        return None
    return int(round(km, -1))


@lru_cache(maxsize=2)
def places_with_acceptance(day: dt.date) -> QuerySet[Place]:
    """The places, each knowing whether requests are accepted from its state on `day`: read with the
    place, one query fewer for a form that checks it (issue 18). Built once a day per process (building
    the subquery costs more Python than running it); never evaluated here, only copied, so every form
    reads the regions as they are at that moment."""
    regions = RequestRegion.objects.accepting(day)
    return Place.objects.annotate(accepting=Exists(regions.filter(state_code=OuterRef("state_code"))))


def accepts_requests_from(place: Place) -> bool:
    accepting = getattr(place, "accepting", None)  # read with the place by with_acceptance
    if accepting is not None:
        return bool(accepting)
    return RequestRegion.objects.accepting().filter(state_code=place.state_code).exists()
