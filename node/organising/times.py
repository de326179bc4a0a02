"""Local wall-clock time in a named zone ↔ naive UTC for the database, and the page filter."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from node.i18n import N_

DEFAULT_TZ = "Europe/London"
# Marked for translation: the zone names are place names, which some languages spell otherwise.
COMMON_ZONES = (
    N_("Europe/London"),
    N_("Europe/Dublin"),
    N_("Europe/Paris"),
    N_("Europe/Berlin"),
    N_("America/New_York"),
    "UTC",
)


def valid_zone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return name in available_timezones() or name == "UTC"


def to_utc(local: datetime, tz: str = DEFAULT_TZ) -> datetime:
    """A naive local time in ``tz`` as naive UTC (an ambiguous hour takes its first meaning)."""
    aware = local.replace(tzinfo=ZoneInfo(tz))
    return aware.astimezone(UTC).replace(tzinfo=None)


def to_local(utc_naive: datetime, tz: str = DEFAULT_TZ) -> datetime:
    return utc_naive.replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
