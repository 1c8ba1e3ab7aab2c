"""Figures from a simulation record, printed as text and written as one HTML page of SVG charts.

The page has no JavaScript and no outside files, so it can be mailed or published as it is.
"""

import html
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string

from simulation.days import HORIZONS, Record, Seated
from transparency import statistics as published
from transparency.statistics import percentile

TARGET = 80  # percent of households whose day falls inside the range shown 30 days before


@dataclass(frozen=True)
class Accuracy:
    """How often the range shown `horizon` days before held the day the household was offered a seat."""

    households: int
    inside: int
    median_error: float  # days outside the range (0 inside), median over households
    median_width: float  # days from the earliest to the latest day shown, median

    @property
    def percent(self) -> float:
        return 100 * self.inside / self.households if self.households else 0.0


def days_outside(shown: tuple[int, int | None], day: int) -> int:
    earliest, latest = shown
    if day < earliest:
        return earliest - day
    if latest is not None and day > latest:
        return day - latest
    return 0


def accuracy(seated: Iterable[Seated], horizon: int) -> Accuracy:
    errors, widths = [], []
    for s in seated:
        shown = s.shown.get(horizon)
        if shown is None:
            continue
        errors.append(days_outside(shown, s.day))
        if shown[1] is not None:
            widths.append(shown[1] - shown[0] + 1)
    inside = sum(1 for e in errors if e == 0)
    return Accuracy(
        len(errors),
        inside,
        statistics.median(errors) if errors else 0.0,
        statistics.median(widths) if widths else 0.0,
    )


def grouped(seated: list[Seated], key: Callable[[Seated], object]) -> dict[object, list[Seated]]:
    groups: dict[object, list[Seated]] = defaultdict(list)
    for s in seated:
        groups[key(s)].append(s)
    return dict(sorted(groups.items(), key=lambda item: str(item[0]).zfill(4)))


def wait_row(seated: list[Seated]) -> tuple[int, float, float]:
    waits = [s.wait_days for s in seated]
    if not waits:
        return 0, 0.0, 0.0
    return len(waits), sum(waits) / len(waits), percentile(waits, 0.9)


BREAKDOWNS: dict[str, Callable[[Seated], object]] = {
    "port": lambda s: s.port,
    "household size": lambda s: s.size,
    "share": lambda s: s.share,
}
WAIT_BREAKDOWNS: dict[str, Callable[[Seated], object]] = {
    "household size": lambda s: s.size,
    "port": lambda s: s.port,
    "nationality": lambda s: s.nationality,
    "registration week": lambda s: s.registered_week,
}


def text_report(record: Record) -> list[str]:
    """The lines the command prints; the last one is the headline figure."""
    lines = [
        f"Scenario {record.scenario.name} (seed {record.seed}): {record.scenario.days} days, "
        f"{len(record.seated):,} households offered a seat, {record.still_waiting:,} still waiting, "
        f"{record.seconds:.0f} s ({record.cpu_seconds:.0f} s of CPU).",
        "",
        "Estimate accuracy (share of households whose day fell inside the range shown):",
    ]
    for horizon in HORIZONS:
        a = accuracy(record.seated, horizon)
        lines.append(
            f"  {horizon:>2} days ahead: {a.percent:5.1f} % of {a.households:,}; "
            f"median error {a.median_error:g} days; median range width {a.median_width:g} days"
        )
    for name, key in BREAKDOWNS.items():
        lines.append(f"  30 days ahead, by {name}:")
        for group, members in grouped(record.seated, key).items():
            a = accuracy(members, 30)
            if a.households:
                lines.append(f"    {group!s:<14} {a.percent:5.1f} % of {a.households:,}")
    lines.append("")
    lines.append("Wait from registration to the first offer (days): households, mean, 90th percentile")
    for name, key in WAIT_BREAKDOWNS.items():
        lines.append(f"  by {name}:")
        for group, members in grouped(record.seated, key).items():
            n, mean, p90 = wait_row(members)
            lines.append(f"    {group!s:<14} {n:>7,} {mean:7.1f} {p90:7.0f}")
    moved = record.reseated_after_move
    lines.append("")
    lines.append(
        f"Moved by Cita (port closed, or a person joined with no room): {len(moved) + record.still_moved:,} "
        f"households; offered again after a median of {statistics.median(moved) if moved else 0:g} days "
        f"(longest {max(moved) if moved else 0}); {record.still_moved} not yet."
    )
    headline = accuracy(record.seated, 30)
    lines.append(
        f"estimate accuracy: {headline.percent:.1f} % inside the range shown 30 days ahead (target {TARGET} %)"
    )
    return lines


# The page


def bar_chart(title: str, rows: list[tuple[str, float]], unit: str) -> str:
    """The bars /statistics draws (same geometry and partial), wider, with the unit in the title."""
    values = [(label, round(value, 1)) for label, value in rows]
    chart = published.bar_chart(values, width=560, height=180)
    slug = "".join(c if c.isalnum() else "-" for c in title.lower())
    caption = f"{title} ({unit})" if unit else title
    context = {"chart": chart, "chart_title": caption, "chart_id": slug}
    return f"<figure><figcaption>{html.escape(caption)}</figcaption>" + (
        render_to_string("transparency/_bar_chart.html", context) + "</figure>"
    )


def table(headers: list[str], rows: list[list[object]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def wait_cells(seated: list[Seated]) -> list[str]:
    households, mean, p90 = wait_row(seated)
    return [f"{households:,}", f"{mean:,.1f}", f"{p90:,.0f}"]


def html_report(record: Record) -> str:
    sections = [f"<h1>Cita simulation: {html.escape(record.scenario.name)}</h1>"]
    sections.append(f"<p>{html.escape(record.scenario.description)}</p>")
    sections.append("<pre>" + html.escape("\n".join(text_report(record))) + "</pre>")
    by_horizon = [(f"{h} days ahead", accuracy(record.seated, h).percent) for h in HORIZONS]
    sections.append(bar_chart(f"Inside the range shown, by how far ahead (target {TARGET} %)", by_horizon, "%"))
    for name, key in BREAKDOWNS.items():
        rows = [(str(g), accuracy(m, 30).percent) for g, m in grouped(record.seated, key).items()]
        sections.append(bar_chart(f"Inside the range shown 30 days ahead, by {name}", rows, "%"))
    for name, key in WAIT_BREAKDOWNS.items():
        groups = grouped(record.seated, key)
        means = [(str(g), wait_row(m)[1]) for g, m in groups.items()]
        sections.append(bar_chart(f"Mean wait by {name}", means, "days"))
        sections.append(
            table(
                [name, "households", "mean wait (days)", "90th percentile"],
                [[group, *wait_cells(members)] for group, members in groups.items()],
            )
        )
    daily = [(f"day {d}", float(n)) for d, n in enumerate(record.waiting_by_day) if d % 10 == 0]
    sections.append(bar_chart("Households waiting (every tenth day)", daily, ""))
    style = (
        "body{font:14px sans-serif;max-width:60em;margin:1em auto}table{border-collapse:collapse}"
        "td,th{padding:2px 8px;border-bottom:1px solid #ccc;text-align:right}"
        ".chart{width:100%;height:auto;fill:#1d4ed8}.chart text{fill:#0b0c0c;font-size:8px}"
    )
    return (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>Cita simulation</title>'
        f"<style>{style}</style><body>{''.join(sections)}</body></html>"
    )
