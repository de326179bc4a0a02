"""The one place that reads the wall clock.

Tests move time with :func:`frozen` instead of sleeping; nothing else in the code base calls
``datetime.now`` or ``time.time`` for business logic.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

_offset = timedelta(0)
_fixed: datetime | None = None


def _offset_from_environment() -> timedelta:
    """End-to-end tests move a separate server process's clock by starting it with
    ``COMMONGROUND_TEST_CLOCK_OFFSET`` (seconds); honoured only with ``COMMONGROUND_TESTING=1``."""
    if os.environ.get("COMMONGROUND_TESTING") != "1":
        return timedelta(0)
    return timedelta(seconds=float(os.environ.get("COMMONGROUND_TEST_CLOCK_OFFSET") or 0))


_offset = _offset_from_environment()


def now() -> datetime:
    """Timezone-aware current time in UTC."""
    if _fixed is not None:
        return _fixed
    return datetime.now(UTC) + _offset


def today() -> date:
    return now().date()


def utcnow_naive() -> datetime:
    """Naive UTC timestamp for database columns (SQLite keeps no zone)."""
    return now().replace(tzinfo=None)


@contextlib.contextmanager
def frozen(at: datetime) -> Iterator[None]:
    """Freeze ``now()`` at ``at`` for the duration of the block (tests)."""
    global _fixed
    previous = _fixed
    _fixed = at if at.tzinfo else at.replace(tzinfo=UTC)
    try:
        yield
    finally:
        _fixed = previous


def advance(delta: timedelta) -> None:
    """Move the clock forward (tests and the demo's time travel); never backwards in production."""
    global _offset, _fixed
    if _fixed is not None:
        _fixed = _fixed + delta
    else:
        _offset += delta
