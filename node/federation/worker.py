"""The federation worker: push due deliveries, pull peers' outboxes. All state is in the database.

Deliveries are *claimed* before sending (``locked_until`` + ``claimed_by``, in a committed
UPDATE), so two workers never send the same row at once, and a worker killed mid-send leaves rows
that become claimable again when the lease runs out — the receiver treats the re-send as an
idempotent duplicate. Per destination, rows go in seq order as batches; a retryable failure backs
the whole destination off (exponential, full jitter: ``federation.backoff``) and feeds the
per-origin circuit breaker; a non-retryable refusal marks rows ``failed``; after
``MAX_ATTEMPTS`` they are ``dead`` (dead-letter list on the officers' federation page). Any
success — push or pull — closes that origin's breaker and makes its other pending rows due now.
"""

from __future__ import annotations

import logging
import os
import random
import secrets
import signal
from datetime import UTC, datetime, timedelta

from sqlalchemy import and_, or_, select, update

from federation import backoff
from federation.errors import DeliveryError
from node import clock
from node.extensions import db
from node.federation import net
from node.federation.ingest import receive
from node.federation.models import Delivery, Destination, Peer, Statement
from node.groups.models import Group

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=2)
BATCH = 100
PULL_INTERVAL = timedelta(minutes=15)
# Pull whole outbox pages (the outbox's cap, protocol §7.1): a peer catching up makes a fifth of
# the requests, and a batch of 500 is received at ≈ 1.2× the rate of a batch of 100 per statement
# (fixed costs per batch: the group, peer and chain-state reads, the commit; docs/performance.md).
PULL_PAGE = 500
PULL_PAGES = 4  # at most 2,000 statements per peer per pass
RETRY_LATER = ("chain-gap", "unknown-key")  # the receiver can fix these itself (backfill, keys)
MAX_PASSES = 20

# ``commonground worker --max N`` caps statements delivered per run (None: no cap).
max_per_run: int | None = None
_rng = random.Random()
_posts = 0


def _secs(when: datetime | None) -> float | None:
    return None if when is None else when.replace(tzinfo=UTC).timestamp()


def _naive(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).replace(tzinfo=None)


# ----------------------------------------------------------------------------- circuit breaker
def _destination(origin: str) -> Destination:
    row = db.session.scalar(select(Destination).where(Destination.origin == origin))
    if row is None:
        row = Destination(origin=origin, state="closed", failures=0)
        db.session.add(row)
        db.session.flush()
    return row


def _breaker(row: Destination) -> backoff.Breaker:
    return backoff.Breaker(
        state=row.state,  # type: ignore[arg-type]
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


# ----------------------------------------------------------------------------- push
def _due_prefix(group_id: int, destination: str, now: datetime, limit: int) -> list[int]:
    """Ids of the leading pending rows (in seq order) that are due and unlocked."""
    rows = db.session.execute(
        select(Delivery.id, Delivery.next_attempt_at, Delivery.locked_until)
        .join(Statement, Statement.id == Delivery.statement_pk)
        .where(
            Delivery.group_id == group_id,
            Delivery.destination == destination,
            Delivery.state == "pending",
        )
        .order_by(Statement.seq)
        .limit(limit)
    ).all()
    ids = []
    for ident, due, locked in rows:
        if due > now or (locked is not None and locked > now):
            break
        ids.append(ident)
    return ids


def _claim(ids: list[int], now: datetime) -> tuple[str, list[Delivery]]:
    token = secrets.token_hex(8)
    db.session.execute(
        update(Delivery)
        .where(
            Delivery.id.in_(ids),
            Delivery.state == "pending",
            or_(Delivery.locked_until.is_(None), Delivery.locked_until <= now),
        )
        .values(locked_until=now + LEASE, claimed_by=token)
    )
    db.session.commit()
    rows = db.session.scalars(
        select(Delivery)
        .join(Statement, Statement.id == Delivery.statement_pk)
        .where(Delivery.id.in_(ids), Delivery.claimed_by == token)
        .order_by(Statement.seq)
    ).all()
    return token, list(rows)


def _crash_hook() -> None:
    """Test hook (only with COMMONGROUND_TESTING=1): die like ``kill -9`` after the Nth
    successful POST, before recording it — the worst moment for a transactional outbox."""
    global _posts
    _posts += 1
    limit = os.environ.get("COMMONGROUND_TEST_CRASH_AFTER_POSTS")
    if os.environ.get("COMMONGROUND_TESTING") == "1" and limit and _posts >= int(limit):
        os.kill(os.getpid(), signal.SIGKILL)


def _retry_later(rows: list[Delivery], error: str, now: datetime) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = error[:500]
        row.locked_until = row.claimed_by = None
        if backoff.should_dead_letter(row.attempts):
            row.state = "dead"
        else:
            delay = backoff.next_attempt_delay(row.attempts, _rng)
            row.next_attempt_at = now + timedelta(seconds=delay)


def _send(destination: str, rows: list[Delivery]) -> int:
    origin = net.origin(destination)
    now = clock.utcnow_naive()
    client = net.client()
    try:
        result = client.post_inbox(destination, [row.statement.compact for row in rows])
    except DeliveryError as exc:
        message = str(exc)
        if exc.retryable:
            failed(origin, message)
            _retry_later(rows, message, now)
        else:
            for row in rows:
                row.state, row.last_error, row.attempts = "failed", message[:500], row.attempts + 1
                row.locked_until = row.claimed_by = None
        db.session.commit()
        return 0
    finally:
        client.close()
    _crash_hook()
    answered(origin)
    accepted = len(rows) if result.ok else int(result.body.get("index") or 0)
    accepted = max(0, min(accepted, len(rows)))
    for row in rows[:accepted]:
        row.state, row.delivered_at, row.attempts = "delivered", now, row.attempts + 1
        row.locked_until = row.claimed_by = None
        row.last_error = None
    rest = rows[accepted:]
    if rest:
        error = f"{result.error}: {result.detail or ''}"[:500]
        if result.error in RETRY_LATER:
            _retry_later(rest, error, now)
        else:
            for row in rest:
                row.state, row.last_error, row.attempts = "failed", error, row.attempts + 1
                row.locked_until = row.claimed_by = None
    db.session.commit()
    return accepted


def deliver_due(limit: int | None = None) -> int:
    """Send every due delivery (at most ``limit`` statements); returns how many were delivered."""
    delivered = sent = 0
    for _ in range(MAX_PASSES):
        progress = False
        now = clock.utcnow_naive()
        targets = db.session.execute(
            select(Delivery.group_id, Delivery.destination)
            .where(
                Delivery.state == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.locked_until.is_(None), Delivery.locked_until <= now),
            )
            .distinct()
        ).all()
        for group_id, destination in targets:
            room = BATCH if limit is None else min(BATCH, limit - sent)
            if room <= 0:
                return delivered
            if not allowed(net.origin(destination)):
                db.session.commit()
                continue
            ids = _due_prefix(group_id, destination, now, room)
            if not ids:
                db.session.commit()
                continue
            _, rows = _claim(ids, now)
            if rows:
                sent += len(rows)
                delivered += _send(destination, rows)
                progress = True
        if not progress:
            break
    return delivered


# ----------------------------------------------------------------------------- pull
def _last_held(group_id: int, issuer: str) -> int:
    seq = db.session.scalar(
        select(Statement.seq)
        .where(Statement.group_id == group_id, Statement.issuer == issuer)
        .order_by(Statement.seq.desc())
        .limit(1)
    )
    return int(seq or 0)


def pull_peer(peer: Peer) -> int:
    """Catch up with ``peer``'s outbox (bounded number of pages); returns statements stored."""
    group = db.session.get(Group, peer.group_id)
    assert group is not None
    origin = net.origin(peer.outbox)
    if not allowed(origin):
        db.session.commit()
        return 0
    stored, peer_id, outbox, issuer = 0, peer.id, peer.outbox, peer.issuer
    client = net.client()
    try:
        for _ in range(PULL_PAGES):
            after = _last_held(group.id, issuer)
            page = client.fetch_outbox(outbox, after=after, limit=PULL_PAGE)
            report = receive(group, list(page.items)) if page.items else None
            if report is not None:
                stored += report.accepted
            peer = db.session.get(Peer, peer_id)  # type: ignore[assignment]
            if report is not None and report.error is not None:
                peer.last_pull_error = f"{report.error.code}: {report.error.detail}"[:500]
                break
            peer.last_pull_error = None
            if page.next is None or not page.items or report is None or not report.accepted:
                break
    except DeliveryError as exc:
        peer = db.session.get(Peer, peer_id)  # type: ignore[assignment]
        failed(origin, str(exc))
        peer.pull_failures += 1
        peer.last_pull_error = str(exc)[:500]
        delay = backoff.next_attempt_delay(peer.pull_failures, _rng)
        peer.next_pull_at = clock.utcnow_naive() + timedelta(seconds=delay)
        db.session.commit()
        return stored
    finally:
        client.close()
    peer = db.session.get(Peer, peer_id)  # type: ignore[assignment]
    answered(origin)
    peer.pull_failures = 0
    peer.next_pull_at = clock.utcnow_naive() + PULL_INTERVAL
    db.session.commit()
    return stored


def pull_due() -> int:
    now = clock.utcnow_naive()
    peers = db.session.scalars(
        select(Peer).where(
            Peer.status.in_(("active", "flagged")),
            or_(Peer.next_pull_at.is_(None), and_(Peer.next_pull_at <= now)),
        )
    ).all()
    return sum(pull_peer(peer) for peer in peers)


def run() -> int:
    """The scheduler task: deliver, pull, then deliver what the pulls made due."""
    done = deliver_due(max_per_run)
    done += pull_due()
    if max_per_run is None:
        done += deliver_due()
    return done
