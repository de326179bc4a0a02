"""One clock: every time on a page is local time in the group's (or event's) zone, named the same
way, inside ``<time datetime>`` carrying the exact UTC instant."""

from __future__ import annotations

from datetime import UTC, date, datetime

from node import timefmt

WINTER = datetime(2026, 12, 8, 19, 0)  # naive UTC, as the database keeps it; London = UTC
SUMMER = datetime(2026, 7, 1, 18, 30)  # London = UTC+1


def test_a_winter_and_a_summer_time_in_uk_time() -> None:
    assert timefmt.when(WINTER, plain=True) == "Tue 8 Dec 2026, 19:00 (UK time)"
    assert timefmt.when(SUMMER, plain=True) == "Wed 1 Jul 2026, 19:30 (UK time)"


def test_markup_carries_the_utc_instant() -> None:
    assert str(timefmt.when(SUMMER)) == (
        '<time datetime="2026-07-01T18:30Z">Wed 1 Jul 2026, 19:30 (UK time)</time>'
    )


def test_an_events_own_zone_is_named() -> None:
    assert timefmt.when(WINTER, "Europe/Paris", plain=True) == "Tue 8 Dec 2026, 20:00 (Paris time)"
    assert timefmt.when(WINTER, "America/New_York", plain=True).endswith("(New York time)")
    assert timefmt.when(WINTER, "UTC", plain=True) == "Tue 8 Dec 2026, 19:00 (UTC)"


def test_an_aware_time_is_converted_not_relabelled() -> None:
    aware = datetime(2026, 7, 1, 18, 30, tzinfo=UTC)
    assert timefmt.when(aware, plain=True) == timefmt.when(SUMMER, plain=True)


def test_a_day_is_the_local_day() -> None:
    late = datetime(2026, 6, 30, 23, 30)  # 00:30 on 1 July in London
    assert timefmt.day(late, plain=True) == "1 Jul 2026"
    assert str(timefmt.day(date(2026, 12, 8))) == '<time datetime="2026-12-08">8 Dec 2026</time>'


def test_span_names_the_end_day_only_when_it_differs() -> None:
    same = timefmt.span(WINTER, datetime(2026, 12, 8, 21, 0), plain=True)
    assert same == "Tue 8 Dec 2026, 19:00–21:00 (UK time)"
    over = timefmt.span(WINTER, datetime(2026, 12, 9, 10, 0), plain=True)
    assert over == "Tue 8 Dec 2026, 19:00 – Wed 9 Dec 2026, 10:00 (UK time)"


def test_nothing_is_a_dash() -> None:
    assert timefmt.when(None) == timefmt.day(None) == timefmt.span(None, None) == "—"


def test_templates_have_the_filters(app) -> None:  # type: ignore[no-untyped-def]
    from flask import render_template_string

    with app.test_request_context():
        page = render_template_string("{{ t|when }} {{ t|day }} {{ span(t, t) }}", t=WINTER)
    assert "Tue 8 Dec 2026, 19:00 (UK time)" in page and "8 Dec 2026" in page
