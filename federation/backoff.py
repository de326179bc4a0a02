"""Retry policy for outgoing deliveries, as pure functions.

No wall-clock reads and no global randomness: the caller passes ``now`` and
an ``rng`` (``random.Random``), so the worker and the tests see exactly the
same behaviour. Delays grow exponentially from ~30 s to a 6 h cap with
jitter (so a hub coming back up is not hit by every node at once); after
MAX_ATTEMPTS the delivery is dead-lettered for an operator to look at.

The circuit breaker is per destination origin: after THRESHOLD consecutive
failures we stop trying (open) for COOL_DOWN seconds, then let one probe
through (half-open); success closes it, failure re-opens it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Final, Literal

__all__ = [
    "BASE_DELAY",
    "MAX_DELAY",
    "MAX_ATTEMPTS",
    "next_attempt_delay",
    "decorrelated_delay",
    "should_dead_letter",
    "Breaker",
    "allow_request",
    "record_success",
    "record_failure",
]

BASE_DELAY: Final = 30.0
MAX_DELAY: Final = 6 * 3600.0
MIN_DELAY: Final = 1.0
MAX_ATTEMPTS: Final = 15
THRESHOLD: Final = 5
COOL_DOWN: Final = 300.0


def next_attempt_delay(
    attempts: int,
    rng: random.Random,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
) -> float:
    """Seconds to wait after ``attempts`` failed attempts (>= 1): "full jitter".

    Uniform in [MIN_DELAY, min(cap, base * 2**(attempts-1))]; never above cap.
    """
    if attempts < 1:
        raise ValueError("attempts counts failed attempts and starts at 1")
    ceiling = min(cap, base * 2.0 ** min(attempts - 1, 60))
    return max(MIN_DELAY, rng.uniform(0.0, ceiling))


def decorrelated_delay(
    previous: float,
    rng: random.Random,
    *,
    base: float = BASE_DELAY,
    cap: float = MAX_DELAY,
) -> float:
    """ "Decorrelated jitter": uniform in [base, 3 * previous], capped. Start with previous=base."""
    return min(cap, rng.uniform(base, max(base, previous * 3.0)))


def should_dead_letter(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """True once a delivery has failed ``max_attempts`` times."""
    return attempts >= max_attempts


@dataclass(frozen=True)
class Breaker:
    """Circuit-breaker state for one destination (times are caller-supplied seconds)."""

    state: Literal["closed", "open", "half-open"] = "closed"
    failures: int = 0
    opened_at: float | None = None
    probe_started: float | None = None


def allow_request(
    breaker: Breaker, now: float, *, cool_down: float = COOL_DOWN
) -> tuple[bool, Breaker]:
    """May we send to this destination now? Returns (allowed, new state).

    Open -> half-open once ``cool_down`` has passed; half-open admits a single
    probe (another only if that probe has not reported within ``cool_down``).
    """
    if breaker.state == "closed":
        return True, breaker
    if breaker.state == "open":
        if breaker.opened_at is not None and now - breaker.opened_at < cool_down:
            return False, breaker
        return True, replace(breaker, state="half-open", probe_started=now)
    if breaker.probe_started is not None and now - breaker.probe_started < cool_down:
        return False, breaker
    return True, replace(breaker, probe_started=now)


def record_success(breaker: Breaker) -> Breaker:
    """A delivery succeeded: close the breaker and reset the failure count."""
    return Breaker()


def record_failure(breaker: Breaker, now: float, *, threshold: int = THRESHOLD) -> Breaker:
    """A delivery failed (retryably). Opens after ``threshold`` consecutive failures,
    and immediately when the half-open probe fails."""
    failures = breaker.failures + 1
    if breaker.state == "half-open" or failures >= threshold:
        return Breaker(state="open", failures=failures, opened_at=now)
    return replace(breaker, failures=failures)
