"""The federation worker: push due deliveries, pull peers' outboxes. All state is in the database.

Deliveries are *claimed* before sending (``locked_until`` + ``claimed_by``, in a committed
UPDATE), so two workers never send the same row at once, and a worker killed mid-send leaves rows
that become claimable again when the lease runs out — the receiver treats the re-send as an
idempotent duplicate. Per destination, rows go in seq order as batches; a retryable failure backs
the whole destination off (exponential, full jitter: ``federation.backoff``) and feeds the
per-origin circuit breaker; a non-retryable refusal marks rows ``failed``; after
``MAX_ATTEMPTS`` they are ``dead`` (dead-letter list on the officers' federation page). Any
success — push or pull — closes that origin's breaker and makes its other pending rows due now.

One bad item never stops the others: whatever goes wrong with one destination or one peer —
an answer we cannot use, an unexpected exception — is recorded on its rows (attempts, last
error, next attempt) or on the peer (pull failures, last error, next pull), and the run goes on.
"""

from __future__ import annotations

import hashlib
import logging
import os
import random
import secrets
import signal
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from federation import backoff
from federation.errors import DeliveryError
from node import clock, scheduler
from node.extensions import db
from node.groups.models import Group
from node.peering import log_positions, net
from node.peering.breaker import allowed, answered, failed
from node.peering.ingest import receive
from node.peering.models import Delivery, Peer, Statement

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
_rng = random.Random()  # noqa: S311  (retry jitter, not security)
_posts = 0


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
    accepted = len(rows) if result.ok else min(result.index or 0, len(rows))
    log_positions.record(destination, rows[:accepted], result.body)
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


def _deliver_to(
    group_id: int, destination: str, now: datetime, room: int, claimed: list[int]
) -> tuple[int, int]:
    """One destination's due prefix: (statements sent, statements delivered). The ids of the
    rows this call claimed are put in ``claimed`` (for :func:`_delivery_crashed`)."""
    if not allowed(net.origin(destination)):
        db.session.commit()
        return 0, 0
    ids = _due_prefix(group_id, destination, now, room)
    if not ids:
        db.session.commit()
        return 0, 0
    _, rows = _claim(ids, now)
    claimed.extend(row.id for row in rows)
    if not rows:
        return 0, 0
    return len(rows), _send(destination, rows)


def _describe(exc: BaseException) -> str:
    """One line for officers (``node.scheduler.summary``: a database error names only its kind)."""
    return f"internal error: {scheduler.summary(exc)}"[:500]


def _delivery_crashed(
    group_id: int, destination: str, claimed: list[int], now: datetime, exc: Exception
) -> None:
    """Something unexpected went wrong delivering to ``destination``: record it on the rows we
    claimed (or, if it failed before the claim, on its due unlocked prefix) as an attempt, backed
    off and dead-lettered after MAX_ATTEMPTS like any failure, so the officers' federation page
    shows why and the destination cannot be retried for ever. The caller re-raises, so the
    scheduler records the item's failure too (``node.scheduler.each_item``)."""
    db.session.rollback()
    ids = claimed or _due_prefix(group_id, destination, now, BATCH)
    rows = db.session.scalars(
        select(Delivery).where(Delivery.id.in_(ids), Delivery.state == "pending")
    ).all()
    _retry_later(list(rows), _describe(exc), clock.utcnow_naive())
    db.session.commit()


def _key(kind: str, group_id: int, text: str) -> str:
    """A stable scheduler item key of at most 200 characters (URLs may be longer)."""
    return f"{kind}:{group_id}:{hashlib.sha256(text.encode()).hexdigest()[:32]}"


def deliver_due(limit: int | None = None) -> int:
    """Send every due delivery (at most ``limit`` statements); returns how many were delivered.

    Each destination is one item of ``node.scheduler.each_item``: whatever goes wrong with one
    (a refusal, an answer we cannot use, an unexpected error) is recorded on its rows — and an
    unexpected error on the scheduler's failure list too — and the others still go out."""
    totals = {"sent": 0, "delivered": 0, "progress": 0}

    def work(target: tuple[int, str, datetime]) -> int:
        group_id, destination, now = target
        room = BATCH if limit is None else min(BATCH, limit - totals["sent"])
        if room <= 0:
            return 0
        claimed: list[int] = []
        try:
            sent, delivered = _deliver_to(group_id, destination, now, room, claimed)
        except Exception as exc:
            _delivery_crashed(group_id, destination, claimed, now, exc)
            raise
        totals["sent"] += sent
        totals["delivered"] += delivered
        totals["progress"] += sent
        return delivered

    for _ in range(MAX_PASSES):
        totals["progress"] = 0
        now = clock.utcnow_naive()
        targets = db.session.execute(
            select(Delivery.group_id, Delivery.destination)
            .where(
                Delivery.state == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.locked_until.is_(None), Delivery.locked_until <= now),
            )
            .distinct()
            .order_by(Delivery.group_id, Delivery.destination)
        ).all()
        items = [
            scheduler.Item(
                _key("deliver", group_id, destination),
                group_id,
                f"Deliveries to {destination}"[:200],
                (group_id, destination, now),
            )
            for group_id, destination in targets
        ]
        scheduler.each_item("federation.deliver", items, work)
        if not totals["progress"] or (limit is not None and totals["sent"] >= limit):
            break
    return totals["delivered"]


# ----------------------------------------------------------------------------- pull
def _last_held(group_id: int, issuer: str) -> int:
    seq = db.session.scalar(
        select(Statement.seq)
        .where(Statement.group_id == group_id, Statement.issuer == issuer)
        .order_by(Statement.seq.desc())
        .limit(1)
    )
    return int(seq or 0)


def _pull_failed(peer: Peer, error: str, *, at_least: timedelta = timedelta(0)) -> None:
    """Count a failed pull of ``peer``, keep why (shown on the federation page) and back off."""
    peer.pull_failures = (peer.pull_failures or 0) + 1
    peer.last_pull_error = error[:500]
    delay = timedelta(seconds=backoff.next_attempt_delay(peer.pull_failures, _rng))
    peer.next_pull_at = clock.utcnow_naive() + max(delay, at_least)


def pull_peer(peer: Peer) -> int:
    """Catch up with ``peer``'s outbox (bounded number of pages); returns statements stored.

    A refused statement (its code and detail) or an unreachable outbox counts as a failed pull:
    recorded on the peer, backed off; the statements before a refusal stay stored."""
    group = db.session.get_one(Group, peer.group_id)
    origin = net.origin(peer.outbox)
    if not allowed(origin):
        db.session.commit()
        return 0
    stored, peer_id, outbox, issuer = 0, peer.id, peer.outbox, peer.issuer
    refused: str | None = None
    client = net.client()
    try:
        for _ in range(PULL_PAGES):
            after = _last_held(group.id, issuer)
            page = client.fetch_outbox(outbox, after=after, limit=PULL_PAGE)
            report = receive(group, list(page.items)) if page.items else None
            if report is not None:
                stored += report.accepted
            if report is not None and report.error is not None:
                refused = f"{report.error.code}: {report.error.detail}"
                break
            if page.next is None or not page.items or report is None or not report.accepted:
                break
    except DeliveryError as exc:
        peer = db.session.get_one(Peer, peer_id)
        failed(origin, str(exc))
        _pull_failed(peer, str(exc))
        db.session.commit()
        return stored
    finally:
        client.close()
    peer = db.session.get_one(Peer, peer_id)
    answered(origin)
    if refused is not None:
        _pull_failed(peer, refused, at_least=PULL_INTERVAL)
    else:
        peer.pull_failures, peer.last_pull_error = 0, None
        peer.next_pull_at = clock.utcnow_naive() + PULL_INTERVAL
    db.session.commit()
    return stored


def _pull_crashed(peer_id: int, exc: Exception) -> None:
    """An unexpected error pulling one peer: record it on the peer (counted, backed off, shown on
    the federation page). The caller re-raises, so the scheduler records it too."""
    db.session.rollback()
    peer = db.session.get(Peer, peer_id)
    if peer is not None:
        _pull_failed(peer, _describe(exc))
    db.session.commit()


def _pull(peer_id: int) -> int:
    peer = db.session.get(Peer, peer_id)
    if peer is None:
        return 0
    try:
        return pull_peer(peer)
    except Exception as exc:
        _pull_crashed(peer_id, exc)
        raise


def pull_due() -> int:
    """Pull every due peer, each one an item of ``node.scheduler.each_item``: one peer's failure,
    whatever it is, is recorded on it and never stops the others."""
    now = clock.utcnow_naive()
    due = db.session.execute(
        select(Peer.id, Peer.group_id, Peer.name)
        .where(
            Peer.status.in_(("active", "flagged")),
            or_(Peer.next_pull_at.is_(None), and_(Peer.next_pull_at <= now)),
        )
        .order_by(Peer.id)
    ).all()
    items = [
        scheduler.Item(f"pull:{peer_id}", group_id, f"Pulling from {name}"[:200], peer_id)
        for peer_id, group_id, name in due
    ]
    return scheduler.each_item("federation.pull", items, _pull)


def run() -> int:
    """The scheduler task: deliver, pull, then deliver what the pulls made due."""
    done = deliver_due(max_per_run)
    done += pull_due()
    if max_per_run is None:
        done += deliver_due()
    return done
