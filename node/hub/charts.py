"""Server-rendered SVG charts (no JavaScript, no inline styles: the CSP allows neither).

Each chart comes with a data table in the template, so the numbers are available to screen
readers and to anyone who cannot see colours.
"""

from __future__ import annotations

import re
from html import escape

from markupsafe import Markup

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


def chart_id(title: str) -> str:
    """The id of a chart's <title>, from the title: two charts on one page get two ids."""
    return "chart-" + ("-".join(re.findall(r"[a-z0-9]+", title.lower())) or "untitled")


def stacked_months(series: dict[str, dict[str, int]], title: str, last: int = 24) -> Markup:
    """Stacked bars: one bar per month, one colour per region (top 9 regions, then "other")."""
    months = sorted({m for by_month in series.values() for m in by_month})[-last:]
    if not months:
        return Markup("")
    ranked = sorted(series, key=lambda r: -sum(series[r].values()))
    shown = ranked[:9]
    groups = {r: series[r] for r in shown}
    if len(ranked) > 9:
        other: dict[str, int] = {}
        for r in ranked[9:]:
            for m, n in series[r].items():
                other[m] = other.get(m, 0) + n
        groups["other regions"] = other
    totals = [sum(g.get(m, 0) for g in groups.values()) for m in months]
    top = max(totals) or 1
    width, height, left, bottom = 640, 240, 40, 40
    bar = (width - left) / len(months)
    ident = chart_id(title)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 20 * ((len(groups) + 2) // 3)}" '
        f'role="img" aria-labelledby="{ident}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}">{escape(title)}</title>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#999"/>',
        f'<text x="4" y="14" font-size="12" fill="#333">{top}</text>',
    ]
    for i, month in enumerate(months):
        y: float = height - bottom
        for j, (_region, by_month) in enumerate(groups.items()):
            n = by_month.get(month, 0)
            if not n:
                continue
            h = (height - bottom - 20) * n / top
            y -= h
            parts.append(
                f'<rect x="{left + i * bar + 2:.1f}" y="{y:.1f}" width="{max(bar - 4, 1):.1f}" '
                f'height="{h:.1f}" fill="{PALETTE[j % len(PALETTE)]}"/>'
            )
        if len(months) <= 12 or i % 3 == 0:
            parts.append(
                f'<text x="{left + i * bar + bar / 2:.1f}" y="{height - bottom + 14}" '
                f'font-size="10" text-anchor="middle" fill="#333">{escape(month)}</text>'
            )
    for j, region in enumerate(groups):
        x, y = 10 + (j % 3) * 210, height + 20 * (j // 3)
        parts.append(
            f'<rect x="{x}" y="{y - 10}" width="12" height="12" '
            f'fill="{PALETTE[j % len(PALETTE)]}"/>'
        )
        parts.append(
            f'<text x="{x + 16}" y="{y}" font-size="12" fill="#333">{escape(region[:28])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every value in parts is escaped above)


def month_table(series: dict[str, dict[str, int]]) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """The chart's numbers as (months, [(region, counts per month)]) for the accessible table."""
    months = sorted({m for by_month in series.values() for m in by_month})[-24:]
    rows = [(r, [series[r].get(m, 0) for m in months]) for r in sorted(series)]
    return months, rows
