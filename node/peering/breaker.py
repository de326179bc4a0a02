"""The per-origin circuit breaker of deliveries and pulls (``federation.backoff.Breaker``),
kept in the ``federation_destinations`` table so every worker process shares it.

:func:`allowed` asks before a request to an origin, :func:`answered` records that it answered
(closing the breaker and making its other pending deliveries due now), :func:`failed` that it
did not. The caller commits.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

from sqlalchemy import select, update

from federation import backoff
from node import clock
from node.extensions import db
from node.peering.models import Delivery, Destination


def _secs(when: datetime | None) -> float | None:
    return None if when is None else when.replace(tzinfo=UTC).timestamp()


def _naive(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


def _destination(origin: str) -> Destination:
    row = db.session.scalar(select(Destination).where(Destination.origin == origin))
    if row is None:
        row = Destination(origin=origin, state="closed", failures=0)
        db.session.add(row)
        db.session.flush()
    return row


def _state(text: str) -> Literal["closed", "open", "half-open"]:
    if text == "open":
        return "open"
    return "half-open" if text == "half-open" else "closed"


def _breaker(row: Destination) -> backoff.Breaker:
    return backoff.Breaker(
        state=_state(row.state),
        failures=row.failures,
        opened_at=_secs(row.opened_at),
        probe_started=_secs(row.probe_started),
    )


def _save(row: Destination, breaker: backoff.Breaker) -> None:
    row.state, row.failures = breaker.state, breaker.failures
    row.opened_at, row.probe_started = _naive(breaker.opened_at), _naive(breaker.probe_started)


def allowed(origin: str) -> bool:
    row = _destination(origin)
    ok, breaker = backoff.allow_request(_breaker(row), _secs(clock.utcnow_naive()) or 0.0)
    _save(row, breaker)
    return ok


def answered(origin: str) -> None:
    """The origin answered: close its breaker and drain its pending deliveries now."""
    row = _destination(origin)
    _save(row, backoff.record_success(_breaker(row)))
    now = clock.utcnow_naive()
    row.last_success_at, row.last_error = now, None
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.state == "pending",
            Delivery.destination.startswith(origin + "/", autoescape=True),
            Delivery.next_attempt_at > now,
        )
        .values(next_attempt_at=now)
    )


def failed(origin: str, error: str) -> None:
    row = _destination(origin)
    _save(row, backoff.record_failure(_breaker(row), _secs(clock.utcnow_naive()) or 0.0))
    row.last_error = error[:500]
