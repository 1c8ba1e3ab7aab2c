"""Public pages, no sign-in: small, cached, and only ever rules and counts."""

import csv
import datetime as dt
import gzip
from collections import defaultdict
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from allocation import accuracy
from allocation.models import AllocationPolicy, AllocationRun
from registrations.models import Place, RequestRegion
from shared.models import Port
from shared.public import public_page
from transparency import record, statistics

VERIFIER = Path(__file__).with_name("verify_draw.py")

PUBLIC_CACHE = public_page(max_age=300)
RUSH_CACHE = public_page(max_age=300, server_copy=True)  # rules and places: what a rush reads after the home page
PUBLISHED_RUNS = [
    AllocationRun.Status.COMPLETED,
    AllocationRun.Status.RELEASED,
    AllocationRun.Status.HELD,
    AllocationRun.Status.VOIDED,
]


@require_GET
@RUSH_CACHE
def where(request: HttpRequest) -> HttpResponse:
    places = defaultdict(list)
    for place in Place.objects.all():
        places[place.state_code].append(place.name)
    regions = [(region, places[region.state_code]) for region in RequestRegion.objects.all()]
    accepted = [(r, p) for r, p in regions if r.accepted_since]
    not_yet = [(r, p) for r, p in regions if not r.accepted_since]
    return render(request, "transparency/where.html", {"accepted": accepted, "not_yet": not_yet})


@require_GET
@RUSH_CACHE
def how_it_works(request: HttpRequest) -> HttpResponse:
    policies = list(AllocationPolicy.objects.filter(effective_from__lte=dt.date.today()).order_by("-version"))
    upcoming = AllocationPolicy.objects.filter(effective_from__gt=dt.date.today()).order_by("version")
    lists = [(_("Coming changes"), list(upcoming)), (_("Earlier rules"), policies[1:])]
    context = {"policy": policies[0] if policies else None, "other_rules": [(h, ps) for h, ps in lists if ps]}
    return render(request, "transparency/how_it_works.html", context)


@require_GET
@PUBLIC_CACHE
def draws(request: HttpRequest) -> HttpResponse:
    runs = list(AllocationRun.objects.select_related("policy").order_by("-date")[:90])
    ports = {port.code: port for port in Port.objects.all()}
    for run in runs:
        run.published = record.is_published(run, ports=ports)  # type: ignore[attr-defined]  # for the template
    return render(request, "transparency/draws.html", {"runs": runs})


def _run_or_404(date: str) -> AllocationRun:
    try:
        day = parse_date(date) if len(date) == 10 else None
    except ValueError:  # shaped like a date but not one: 2026-13-45
        day = None
    run = AllocationRun.objects.select_related("policy").filter(date=day).first() if day else None
    if run is None:
        raise Http404
    return run


@require_GET
@PUBLIC_CACHE
def draw(request: HttpRequest, date: str) -> HttpResponse:
    run = _run_or_404(date)
    context = {
        "run": run,
        "rows": summary_rows(run.summary),
        "record_at": record.publication_time(run) if run.status in record.DECIDED else None,
        "published": record.is_published(run),
        "note": record.status_note(run),
        "plan": record.port_plan(run),
    }
    return render(request, "transparency/draw.html", context)


@require_GET
@PUBLIC_CACHE
def draw_record(request: HttpRequest, date: str) -> HttpResponse:
    """The full record, once the day is over; gzip-compressed on the wire when the client accepts it."""
    run = _run_or_404(date)
    if not record.is_published(run):
        raise Http404
    try:
        data = record.compressed(run)
    except ValueError:  # recorded before ticket numbers: its pool names households by reference
        raise Http404 from None
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        response = HttpResponse(data, content_type="application/json")
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(gzip.decompress(data), content_type="application/json")
    response["Content-Disposition"] = f'inline; filename="cita-draw-{run.date.isoformat()}.json"'
    patch_vary_headers(response, ["Accept-Encoding"])
    return response


@require_GET
@PUBLIC_CACHE
def verifier(request: HttpRequest) -> HttpResponse:
    """The verifier, exactly as kept in the repository (transparency/verify_draw.py)."""
    response = HttpResponse(VERIFIER.read_bytes(), content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="verify_draw.py"'
    return response


def summary_rows(summary: dict) -> list[dict]:
    """Counts per port and share from a run's published summary."""
    rows = []
    for port, counts in sorted(summary.get("ports", {}).items()):
        shares = counts
        rows.append(
            {
                "port": counts.get("name", port),
                "reserved": shares.get("reserved", 0),
                "waiting": shares.get("waiting", 0),
                "lottery": shares.get("lottery", 0),
                "people": counts.get("people", 0),
                "households": counts.get("households", 0),
            }
        )
    return rows


@require_GET
@PUBLIC_CACHE
def statistics_page(request: HttpRequest) -> HttpResponse:
    daily = statistics.daily_counts()
    per_day: dict[dt.date, int] = defaultdict(int)
    for row in daily:
        per_day[row.date] += row.people
    chart = statistics.bar_chart([(statistics.month_day(d), n) for d, n in sorted(per_day.items())])
    waits = statistics.waits_by_port()
    wait_chart = statistics.bar_chart([(w.port, int(w.median_days)) for w in waits])
    *by_port, overall = accuracy.published(timezone.localdate())
    context = {
        "daily": daily,
        "chart": chart,
        "waits": waits,
        "wait_chart": wait_chart,
        "split": statistics.household_split(),
        "accuracy": overall,
        "accuracy_by_port": by_port,
        "accuracy_chart": statistics.bar_chart([(row.port, round(row.percent)) for row in by_port]),
    }
    return render(request, "transparency/statistics.html", context)


@require_GET
@PUBLIC_CACHE
def statistics_csv(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="cita-appointments-per-day.csv"'
    writer = csv.writer(response)
    writer.writerow(["date", "port", "households", "people"])
    for row in statistics.daily_counts():
        writer.writerow([row.date.isoformat(), row.port, row.households, row.people])
    return response
