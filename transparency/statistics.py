"""Aggregate figures for the public statistics page: no row here identifies anyone."""

import datetime as dt
import math
import re
import statistics as stats
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.formats import date_format, get_format

from allocation.models import Appointment

LOOKBACK_DAYS = 60
LABEL_SPACE = 14  # room under the bars for their labels
VALUE_SPACE = 12  # room above the tallest bar for its number


@dataclass
class DailyCount:
    date: dt.date
    port: str
    households: int
    people: int


@dataclass
class WaitFigures:
    port: str
    appointments: int
    median_days: float
    p90_days: float


def percentile(values: list[int], fraction: float) -> float:
    """The nearest-rank percentile, which anyone can check by hand on the published CSV."""
    ordered = sorted(values)
    rank = max(1, round(fraction * len(ordered) + 0.4999))
    return float(ordered[min(rank, len(ordered)) - 1])


def _recent(today: dt.date):
    return Appointment.objects.filter(
        date__gt=today - dt.timedelta(days=LOOKBACK_DAYS), date__lte=today + dt.timedelta(days=7)
    )


def daily_counts(today: dt.date | None = None) -> list[DailyCount]:
    today = today or timezone.localdate()
    rows = (
        _recent(today)
        .values("date", "port__name")
        .annotate(households=Count("id"), people=Sum("people"))
        .order_by("date", "port__name")
    )
    return [DailyCount(r["date"], r["port__name"], r["households"], r["people"]) for r in rows]


def household_split(today: dt.date | None = None) -> dict[str, int]:
    """How many appointments went to one person alone, and how many to families."""
    today = today or timezone.localdate()
    rows = _recent(today).values_list("people", flat=True)
    alone = sum(1 for p in rows if p == 1)
    total = len(rows)
    return {"alone": alone, "families": total - alone, "people": sum(rows), "appointments": total}


def waits_by_port(today: dt.date | None = None) -> list[WaitFigures]:
    """Days from registration to appointment date, per port: median and 90th percentile."""
    today = today or timezone.localdate()
    waits: dict[str, list[int]] = defaultdict(list)
    for port, date, registered_at in _recent(today).values_list("port__name", "date", "household__registered_at"):
        waits[port].append((date - registered_at.date()).days)
    return [
        WaitFigures(port, len(days), stats.median(days), percentile(days, 0.9)) for port, days in sorted(waits.items())
    ]


def month_day(day: dt.date) -> str:
    """A short day label in the reader's order: 12/05 in English, 05/12 in Spanish, 12月5日 in
    Chinese (the language's short date format without its year)."""
    pattern = get_format("SHORT_DATE_FORMAT")
    pattern = re.sub(r"[^A-Za-z]*Y$", "", pattern) if pattern.endswith("Y") else re.sub(r"^Y[^A-Za-z]*", "", pattern)
    return date_format(day, pattern if "Y" not in pattern else "SHORT_DATE_FORMAT")


def bar_chart(values: list[tuple[str, float]], width: int = 320, height: int = 140) -> dict:
    """Bars for a server-drawn SVG, in the SVG's own units: the tallest bar fills the plot, each bar
    has its number above it, and about eight labels fit under the bars without overlapping."""
    top = max((v for _label, v in values), default=0) or 1
    plot = height - LABEL_SPACE - VALUE_SPACE
    step = width / max(len(values), 1)
    every = math.ceil(len(values) / 8) or 1
    bars = []
    for i, (label, value) in enumerate(values):
        bar_height = round(value / top * plot, 1)
        bars.append(
            {
                "x": round(i * step + 1, 1),
                "y": round(VALUE_SPACE + plot - bar_height, 1),
                "width": round(max(step - 2, 1), 1),
                "height": bar_height,
                "middle": round(i * step + step / 2, 1),
                "value_y": round(VALUE_SPACE + plot - bar_height - 2, 1),
                "label": label,
                "short_label": label.split(",")[0][:10] if i % every == 0 else "",
                "value": value,
            }
        )
    return {"width": width, "height": height, "bars": bars, "label_y": height - 3}
