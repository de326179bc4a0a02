"""The hub's charts fit a phone and make sense with little data: under three months the page
says the numbers in words; a chart scales to its box (no fixed width), its labels stay large
enough after shrinking to 390 px, its legend is an HTML list that wraps, and two charts on one
page have two ids."""

from __future__ import annotations

import re
from typing import Any

from node.hub.charts import MIN_MONTHS, chart_or_words, few_months, month_name, stacked_months

ONE_MONTH = {"North West": {"2026-11": 3}, "Wales": {"2026-11": 1}}
SIX_MONTHS = {
    "North West": {f"2026-{m:02d}": m for m in range(1, 7)},
    "A region with a rather long name indeed": {"2026-03": 2},
}


def test_one_month_is_words_not_a_giant_bar() -> None:
    chart, words = chart_or_words(ONE_MONTH, "Endorsements")
    assert str(chart) == ""
    assert words == [("Nov 2026", 4, [("North West", 3), ("Wales", 1)])]
    assert few_months({}) == [] and chart_or_words({}, "x") == ("", [])


def test_a_longer_series_is_a_chart_that_scales() -> None:
    chart, words = chart_or_words(SIX_MONTHS, "Endorsements per month")
    svg = str(chart)
    assert words == [] and len({m for s in SIX_MONTHS.values() for m in s}) >= MIN_MONTHS
    root = re.search(r"<svg [^>]*viewBox[^>]*>", svg).group(0)
    assert "width=" not in root and "height=" not in root  # the CSS sizes it: width 100%
    sizes = [int(n) for n in re.findall(r'font-size="(\d+)"', svg)]
    # The viewBox is 480 wide; at 358 px (a 390 px phone less the page's padding) the smallest
    # label is still at least 11 px.
    assert min(sizes) * 358 / 480 >= 11, sizes
    legend = re.search(r'<ul class="legend">(.*)</ul>', svg).group(1)
    assert legend.count("<li>") == 2 and "A region with a rather long name indeed" in legend
    assert ">Jan 26<" in svg


def test_two_charts_have_two_ids() -> None:
    ids = {
        re.search(r'<title id="([^"]+)"', str(stacked_months(SIX_MONTHS, t))).group(1)
        for t in ("Candidate endorsements", "Campaign co-endorsements")
    }
    assert len(ids) == 2


def test_month_names() -> None:
    assert month_name("2026-11") == "Nov 2026" and month_name("2026-11", short=True) == "Nov 26"
    assert month_name("soon") == "soon"


def test_month_names_are_in_the_readers_language(app: Any) -> None:
    """The chart's months come from CLDR in the page's locale, not from the server's C locale."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("fr"):
        assert month_name("2026-11") == "nov. 2026"
    with app.test_request_context(), force_locale("en_GB"):
        assert month_name("2026-09", short=True) == "Sept 26"
