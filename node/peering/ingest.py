"""Receiving statements, a batch at a time: the one path behind the inbox view, pulls, the hub's
sweep and bench/.

:func:`receive` verifies and stores a batch and commits. Per batch, in order:

1. **verify and chain, in memory**: each statement is verified (``federation.batch.verify_many``:
   size, parse, alg, issuer & key, signature, schema; pure CPU) and classified
   (``federation.chain.classify``) against the chain state held for its issuer, read once per
   issuer per batch and then advanced in memory as statements are accepted. A key-rotation
   accepted earlier in the batch is applied to the peer's keys at once, so statements signed with
   the new key later in the same batch verify. The batch stops at the first refusal: the
   statements before it stay accepted (docs/protocol.md §7.2), and nothing of the refused one is
   stored except, for a fork, the evidence.
2. **store**: the accepted statements are inserted together (``node.bulk.insert_rows``: COPY on
   PostgreSQL, one executemany on SQLite; no ORM objects), then each peer's pull position, then
   the retractions among them (their targets may be in the same batch).
3. **signal**: ``statements_received`` (the hub's aggregates listen, and touch each counter once
   per batch) gets the verified statements inside the same transaction.

Batches, because a statement at a time costs about a dozen SQL round trips per statement (chain
look-ups, flushes, counter upserts with savepoints), which dominated ingest time at the hub.

Keys: a trusted issuer's keys are those pinned when it was followed plus those its own
key-rotation statements introduced; an unknown ``kid`` triggers a JWKS re-fetch at most once per
issuer per :data:`JWKS_REFETCH_INTERVAL`, and a key found that way is only trusted if a person
pinned its thumbprint or a hub's registry vouches for it (``net.trusted_via_registry``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from federation import statements as fst
from federation.batch import verify_many
from federation.chain import ChainState, classify
from federation.errors import DeliveryError, StatementError
from federation.keys import thumbprint
from node import clock, signals
from node.bulk import JSONText, insert_rows
from node.extensions import db
from node.groups.models import Group
from node.peering import net
from node.peering.models import ForkEvidence, Peer, Statement
from node.peering.operations import mark_retracted

log = logging.getLogger(__name__)
JWKS_REFETCH_INTERVAL = timedelta(minutes=10)
TRUSTED_STATUSES = ("active", "flagged")
ATTEMPTS = 3
STATEMENTS: Table = db.metadata.tables[Statement.__tablename__]

# What a receiver holds last for an issuer: built once, run on the session's connection (Core,
# no ORM result machinery) at the start of every batch.
_LAST_HELD = (
    select(Statement.seq, Statement.hash)
    .where(Statement.group_id == bindparam("group_id"), Statement.issuer == bindparam("issuer"))
    .order_by(Statement.seq.desc())
    .limit(1)
)
# One UPDATE of the one column, not the ORM's unit of work for a single attribute (which cost as
# much per batch as inserting the batch); the loaded peer is told with set_committed_value.
_ADVANCE_PULL = (
    update(Peer).where(Peer.id == bindparam("peer_id")).values(last_pulled_seq=bindparam("seq"))
)


@dataclass
class IngestReport:
    accepted: int = 0
    duplicates: int = 0
    error: StatementError | None = None
    index: int | None = None

    def to_json(self) -> dict[str, Any]:
        if self.error is None:
            return {"accepted": self.accepted, "duplicates": self.duplicates}
        body = self.error.to_json()
        body.update(index=self.index, accepted=self.accepted, duplicates=self.duplicates)
        return body


class _Receiver:
    """One batch for one group: peers, chain states and trusted keys by issuer, and the
    statements accepted so far (``pending``: (issuer, seq) -> compact, not stored yet)."""

    def __init__(self, group: Group, refetch: bool) -> None:
        self.group = group
        self.refetch = refetch
        self.peers: dict[str, Peer | None] = {}
        self.states: dict[str, ChainState] = {}
        # (issuer, kid) -> the trusted JWK; forgotten whenever an issuer's keys change
        self.keys: dict[tuple[str, str], Mapping[str, Any]] = {}
        self.pending: dict[tuple[str, int], str] = {}

    def peer(self, issuer: str) -> Peer | None:
        if issuer not in self.peers:
            self.peers[issuer] = db.session.scalar(
                select(Peer).where(Peer.group_id == self.group.id, Peer.issuer == issuer)
            )
        return self.peers[issuer]

    def lookup(self, issuer: str, kid: str) -> fst.LookupResult:
        found = self.keys.get((issuer, kid))
        if found is not None:
            return found
        result = self._lookup(issuer, kid)
        if isinstance(result, Mapping):
            self.keys[(issuer, kid)] = result
        return result

    def _lookup(self, issuer: str, kid: str) -> fst.LookupResult:
        peer = self.peer(issuer)
        if peer is None or peer.status not in TRUSTED_STATUSES or issuer == self.group.url:
            return fst.UNKNOWN_ISSUER
        for jwk in peer.keys:
            if jwk.get("kid") == kid:
                return jwk
        if self.refetch and _refetch_keys(peer):
            for jwk in peer.keys:
                if jwk.get("kid") == kid:
                    return jwk
        peer.next_pull_at = clock.utcnow_naive()  # the rotation statement may be in its outbox
        return fst.UNKNOWN_KEY

    def state(self, issuer: str) -> ChainState:
        if issuer not in self.states:
            last = (
                db.session.connection()
                .execute(_LAST_HELD, {"group_id": self.group.id, "issuer": issuer})
                .first()
            )
            self.states[issuer] = ChainState(last[0], last[1]) if last else ChainState()
        return self.states[issuer]

    def held(self, issuer: str) -> Callable[[int], str | None]:
        """The compact ``issuer`` signed at a seq: accepted earlier in this batch, or stored."""

        def at(seq: int) -> str | None:
            found = self.pending.get((issuer, seq))
            if found is not None:
                return found
            return db.session.scalar(
                select(Statement.compact).where(
                    Statement.group_id == self.group.id,
                    Statement.issuer == issuer,
                    Statement.seq == seq,
                )
            )

        return at

    def accept(self, peer: Peer, st: fst.VerifiedStatement) -> None:
        """Advance the issuer's chain in memory; a key-rotation changes the keys that verify
        the rest of the batch."""
        self.pending[(st.issuer, st.seq)] = st.compact
        self.states[st.issuer] = ChainState(st.seq, st.hash)
        if st.type != "key-rotation":
            return
        new_key = {**st.body["new_key"], "kid": thumbprint(st.body["new_key"])}
        if all(jwk.get("kid") != new_key["kid"] for jwk in peer.keys):
            peer.keys = [*peer.keys, new_key]
        peer.retired_kids = {**(peer.retired_kids or {}), st.kid: st.seq}
        self.keys.clear()

    def record_fork(self, peer: Peer, st: fst.VerifiedStatement, detail: str) -> None:
        """Keep the evidence (once) and flag the peer: its chain has two statements at a seq."""
        exists = db.session.scalar(
            select(ForkEvidence.id).where(
                ForkEvidence.group_id == self.group.id, ForkEvidence.compact == st.compact
            )
        )
        if exists is None:
            db.session.add(
                ForkEvidence(
                    group_id=self.group.id,
                    issuer=st.issuer,
                    seq=st.seq,
                    compact=st.compact,
                    detail=detail[:500],
                )
            )
        peer.status = "flagged"
        peer.status_detail = f"chain fork at seq {st.seq}: {detail}"[:500]
        log.warning("chain fork from %s at seq %s", st.issuer, st.seq)


def _refetch_keys(peer: Peer) -> bool:
    """Re-fetch the peer's JWKS (rate-limited); trust new keys only if pinned or vouched for."""
    now = clock.utcnow_naive()
    if peer.jwks_fetched_at is not None and now - peer.jwks_fetched_at < JWKS_REFETCH_INTERVAL:
        return False
    peer.jwks_fetched_at = now
    try:
        fetched = net.client().fetch_jwks(peer.jwks_uri)
    except DeliveryError as exc:
        log.info("JWKS re-fetch from %s failed: %s", peer.jwks_uri, exc)
        return False
    known = {jwk.get("kid") for jwk in peer.keys}
    added = [
        jwk
        for jwk in fetched
        if thumbprint(jwk) not in known
        and (
            thumbprint(jwk) in peer.thumbprints
            or net.trusted_via_registry(peer.group_id, peer.issuer, thumbprint(jwk))
        )
    ]
    if added:
        peer.keys = [*peer.keys, *({**jwk, "kid": thumbprint(jwk)} for jwk in added)]
    return bool(added)


def _chain(receiver: _Receiver, st: fst.VerifiedStatement, report: IngestReport) -> bool:
    """Classify one verified statement against its issuer's chain: True if it is new, False if
    a duplicate; raise its refusal."""
    peer = receiver.peer(st.issuer)
    if peer is None:  # verify_many only passes statements whose issuer the lookup knew
        raise StatementError("unknown-issuer", f"{st.issuer[:100]} is not followed here")
    retired_at = (peer.retired_kids or {}).get(st.kid)
    if retired_at is not None and st.seq > retired_at:
        raise StatementError("unknown-key", f"key {st.kid[:16]} was retired at seq {retired_at}")
    verdict = classify(st, receiver.state(st.issuer), receiver.held(st.issuer))
    if verdict.kind == "append":
        receiver.accept(peer, st)
        report.accepted += 1
        return True
    if verdict.ok:
        report.duplicates += 1
        return False
    if verdict.kind == "fork":
        receiver.record_fork(peer, st, verdict.detail)
    elif verdict.kind == "gap":
        peer.next_pull_at = clock.utcnow_naive()  # backfill in the worker
    verdict.raise_for_error()
    return False


def ingest_batch(group: Group, compacts: Sequence[str], *, refetch: bool = True) -> IngestReport:
    """Verify and store ``compacts`` for ``group`` in order, stopping at the first refusal.

    Adds to the session; the caller commits (:func:`receive`)."""
    receiver = _Receiver(group, refetch)
    report = IngestReport()
    accepted: list[fst.VerifiedStatement] = []
    position = 0
    while position < len(compacts) and report.error is None:
        # Verified stage by stage up to the first refusal or key-rotation (which changes the
        # keys that verify what follows it), then chained one by one.
        prefix = verify_many(compacts[position:], receiver.lookup)
        for st in prefix.statements:
            try:
                if _chain(receiver, st, report):
                    accepted.append(st)
            except StatementError as exc:
                report.error, report.index = exc, position
                break
            position += 1
        else:
            if prefix.error is not None:
                report.error, report.index = prefix.error, position
    if not accepted:
        db.session.flush()
        return report
    _store(receiver, accepted)
    signals.send(signals.statements_received, holder=group, statements=accepted)
    return report


def _store(receiver: _Receiver, accepted: list[fst.VerifiedStatement]) -> None:
    """One bulk insert (no ORM objects or unit of work for rows only written here), then each
    peer's pull position, then the retractions."""
    group_id = receiver.group.id
    now = clock.utcnow_naive()
    insert_rows(
        STATEMENTS,
        [
            {
                "group_id": group_id,
                "issuer": st.issuer,
                "seq": st.seq,
                "statement_id": st.id,
                "type": st.type,
                "prev": st.prev,
                "hash": st.hash,
                "kid": st.kid,
                "payload": JSONText(st.payload_json),
                "compact": st.compact,
                "issued_at": st.issued_at.replace(tzinfo=None),
                "received_at": now,
                "verification": "verified",
            }
            for st in accepted
        ],
    )
    last_seq: dict[str, int] = {}
    for st in accepted:
        last_seq[st.issuer] = max(st.seq, last_seq.get(st.issuer, 0))
    for issuer, seq in last_seq.items():
        peer = receiver.peer(issuer)
        if peer is not None and seq > (peer.last_pulled_seq or 0):
            db.session.connection().execute(_ADVANCE_PULL, {"peer_id": peer.id, "seq": seq})
            set_committed_value(peer, "last_pulled_seq", seq)
    for st in accepted:
        if st.type == "retraction":
            mark_retracted(group_id, st.issuer, st.body["statement_id"], st.id, st.body["reason"])
    db.session.flush()


def receive(group: Group, compacts: Sequence[str], *, refetch: bool = True) -> IngestReport:
    """Verify and store ``compacts`` (:func:`ingest_batch`) and commit.

    A concurrent push and pull of the same statement can race to the UNIQUE constraint; the
    loser simply runs again and finds a duplicate."""
    group_id, attempt = group.id, 1
    while True:
        try:
            report = ingest_batch(group, compacts, refetch=refetch)
            db.session.commit()
            return report
        except IntegrityError:  # from the INSERT or, for deferred checks, the COMMIT
            db.session.rollback()
            if attempt == ATTEMPTS:
                raise
            attempt += 1
            group = db.session.get_one(Group, group_id)
