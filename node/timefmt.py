"""Times as people read them: one format, one zone label, on every page.

The database keeps naive UTC; a page shows local time in the group's zone (UK time unless an
event carries its own), always with the zone named the same way, inside a ``<time datetime>``
element so machines still read the exact instant. Machine formats (CSV, JSON, iCal) do not come
through here: they keep ISO 8601 UTC.

Templates use the filters registered by :func:`init_app`:

- ``{{ ballot.closes_at|when }}`` → ``Tue 8 Dec 2026, 19:00 (UK time)``
- ``{{ event.starts_at|when(event.tz) }}`` → ``Tue 8 Dec 2026, 20:00 (Paris time)``
- ``{{ run.created_at|day }}`` → ``8 Dec 2026`` (dates, and datetimes shown as a day)
- ``{{ span(event.starts_at, event.ends_at, event.tz) }}`` → ``Tue 8 Dec 2026, 19:00–21:00 (UK time)``
- ``|when(plain=True)`` for text that cannot hold markup (a page title, an e-mail).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel.dates import format_date, format_datetime
from flask import Flask
from flask_babel import gettext as _
from markupsafe import Markup

from node.i18n import current_locale

HOME_ZONE = "Europe/London"
NOTHING = "—"


def zone_label(tz: str = HOME_ZONE) -> str:
    """How a zone is named next to a time: "UK time", "Paris time", "UTC"."""
    if tz == HOME_ZONE:
        return _("UK time")
    if tz in ("UTC", "Etc/UTC"):
        return "UTC"
    return _("%(city)s time", city=tz.rsplit("/", 1)[-1].replace("_", " "))


def _zone(tz: str) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(HOME_ZONE)


def local(value: datetime, tz: str = HOME_ZONE) -> datetime:
    """``value`` (naive means UTC, as the database keeps it) as an aware time in ``tz``."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(_zone(tz))


def _clock_face(moment: datetime) -> str:
    """Day, date and 24-hour time, with the reader's locale's names (Babel, CLDR)."""
    return format_datetime(moment, "EEE d MMM y, HH:mm", locale=current_locale())


def _machine(value: datetime) -> str:
    """The instant in UTC for ``<time datetime>``: ``2026-12-08T19:00Z``."""
    return local(value, "UTC").strftime("%Y-%m-%dT%H:%MZ")


def _wrap(machine: str, text: str, plain: bool) -> str:
    if plain:
        return text
    return Markup('<time datetime="{}">{}</time>').format(machine, text)


def when(value: datetime | None, tz: str | None = None, plain: bool = False) -> str:
    """A moment: ``Tue 8 Dec 2026, 19:00 (UK time)``; "—" for none."""
    if value is None:
        return NOTHING
    zone = tz or HOME_ZONE
    return _wrap(_machine(value), f"{_clock_face(local(value, zone))} ({zone_label(zone)})", plain)


def day(value: date | datetime | None, tz: str | None = None, plain: bool = False) -> str:
    """A day: ``8 Dec 2026`` (a datetime is first moved to the local zone)."""
    if value is None:
        return NOTHING
    if isinstance(value, datetime):
        value = local(value, tz or HOME_ZONE).date()
    return _wrap(value.isoformat(), format_date(value, "d MMM y", locale=current_locale()), plain)


def span(
    start: datetime | None, end: datetime | None, tz: str | None = None, plain: bool = False
) -> str:
    """From–to: ``Tue 8 Dec 2026, 19:00–21:00 (UK time)``; the end's day is named only when it
    differs from the start's."""
    if start is None:
        return NOTHING
    if end is None:
        return when(start, tz, plain)
    zone = tz or HOME_ZONE
    first, last = local(start, zone), local(end, zone)
    joint = f"–{last:%H:%M}" if first.date() == last.date() else f" – {_clock_face(last)}"
    return _wrap(_machine(start), f"{_clock_face(first)}{joint} ({zone_label(zone)})", plain)


def init_app(app: Flask) -> None:
    """Register the filters and the ``span`` global with the app's templates."""
    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["day"] = day
    app.add_template_global(span, "span")
    app.add_template_global(zone_label, "zone_label")
