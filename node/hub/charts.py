"""Server-rendered SVG charts (no JavaScript, no inline styles: the CSP allows neither).

Each chart comes with a data table in the template, so the numbers are available to screen
readers and to anyone who cannot see colours.
"""

from __future__ import annotations

import re
from datetime import date
from html import escape

from babel.dates import format_date
from flask_babel import gettext as _
from markupsafe import Markup

from node.i18n import current_locale

PALETTE = (
    "#b5121b",
    "#0b4f9c",
    "#2e7d32",
    "#8a5a00",
    "#5a2b8a",
    "#00707a",
    "#666666",
    "#c2185b",
    "#33691e",
    "#4e342e",
)


def month_name(month: str, short: bool = False) -> str:
    """``2026-11`` → "Nov 2026" (``short``: "Nov 26") in the reader's language (Babel's CLDR
    names, as every other date on the pages); anything else as it is."""
    year, _, number = month.partition("-")
    if not (year.isdigit() and number.isdigit() and 1 <= int(number) <= 12):
        return month
    first = date(int(year), int(number), 1)
    return format_date(first, "MMM yy" if short else "MMM y", locale=current_locale())


def chart_id(title: str) -> str:
    """The id of a chart's <title>, from the title: two charts on one page get two ids."""
    return "chart-" + ("-".join(re.findall(r"[a-z0-9]+", title.lower())) or "untitled")


# Fewer months than this make a poor chart (one giant bar): the page says the numbers instead.
MIN_MONTHS = 3


def _grouped(series: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """The top 9 regions by total, then the rest summed as "other regions"."""
    ranked = sorted(series, key=lambda r: -sum(series[r].values()))
    groups = {r: series[r] for r in ranked[:9]}
    if len(ranked) > 9:
        other: dict[str, int] = {}
        for r in ranked[9:]:
            for m, n in series[r].items():
                other[m] = other.get(m, 0) + n
        groups[_("other regions")] = other
    return groups


def stacked_months(series: dict[str, dict[str, int]], title: str, last: int = 24) -> Markup:
    """Stacked bars: one bar per month, one colour per region (top 9 regions, then "other").

    The SVG scales to its box (no fixed width), with type large enough to stay readable when a
    phone shrinks it to 390 px; the legend is an HTML list below, so it wraps. Pages show it
    only from ``MIN_MONTHS`` months on (``chart_or_words``).
    """
    months = sorted({m for by_month in series.values() for m in by_month})[-last:]
    if not months:
        return Markup("")
    groups = _grouped(series)
    totals = [sum(g.get(m, 0) for g in groups.values()) for m in months]
    top = max(totals) or 1
    width, height, left, bottom = 480, 240, 40, 30
    bar = (width - left) / len(months)
    step = 1 if len(months) <= 8 else 3 if len(months) <= 24 else 6
    ident = chart_id(title)
    parts = [
        f'<figure class="chart"><svg viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#767676"/>',
        f'<text x="2" y="18" font-size="16" fill="#333">{top}</text>',
    ]
    for i, month in enumerate(months):
        y: float = height - bottom
        for j, (_region, by_month) in enumerate(groups.items()):
            n = by_month.get(month, 0)
            if not n:
                continue
            h = (height - bottom - 24) * n / top
            y -= h
            parts.append(
                f'<rect x="{left + i * bar + 2:.1f}" y="{y:.1f}" width="{max(bar - 4, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
        if i % step == 0:
            parts.append(
                f'<text x="{left + i * bar + bar / 2:.1f}" y="{height - bottom + 20}" '
                f'font-size="15" text-anchor="middle" fill="#333">{escape(month_name(month, short=True))}</text>'
            )
    parts.append('</svg><figcaption><ul class="legend">')
    for j, region in enumerate(groups):
        parts.append(
            '<li><svg width="14" height="14" aria-hidden="true"><rect width="14" height="14" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/></svg> {escape(region)}</li>'
        )
    parts.append("</ul></figcaption></figure>")
    return Markup("".join(parts))  # noqa: S704  (every value in parts is escaped above)


def chart_or_words(
    series: dict[str, dict[str, int]], title: str
) -> tuple[Markup, list[tuple[str, int, list[tuple[str, int]]]]]:
    """A chart when the series spans ``MIN_MONTHS`` months or more, else its months in words
    (``few_months``): one month of data is a plain sentence, not one giant bar."""
    months = {m for by_month in series.values() for m in by_month}
    if len(months) < MIN_MONTHS:
        return Markup(""), few_months(series)
    return stacked_months(series, title), []


def few_months(series: dict[str, dict[str, int]]) -> list[tuple[str, int, list[tuple[str, int]]]]:
    """For too short a series to chart: each month, its total and its regions (largest first)."""
    months = sorted({m for by_month in series.values() for m in by_month})
    rows = []
    for month in months:
        regions = sorted(
            ((r, by[month]) for r, by in series.items() if by.get(month)), key=lambda p: -p[1]
        )
        rows.append((month_name(month), sum(n for _, n in regions), regions))
    return rows


def month_table(series: dict[str, dict[str, int]]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The chart's numbers as (months, [(region, counts per month)]) for the accessible table."""
    months = sorted({m for by_month in series.values() for m in by_month})[-24:]
    rows = [(r, [series[r].get(m, 0) for m in months]) for r in sorted(series)]
    return months, rows
