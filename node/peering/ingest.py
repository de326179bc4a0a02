"""Receiving statements: the one code path behind the inbox view, pulls, and bench/verify.py.

For each statement, in order: ``federation.statements.verify`` (size, parse, alg, issuer & key,
signature, schema), then ``federation.chain.classify`` against what this group holds for the
issuer. A batch stops at the first refusal; the statements before it stay accepted (as
docs/protocol.md §7.2 says), and nothing of the refused one is stored except, for a fork, the
evidence. Keys: a trusted issuer's keys are those pinned when it was followed plus those its own
key-rotation statements introduced; an unknown ``kid`` triggers a JWKS re-fetch at most once per
issuer per :data:`JWKS_REFETCH_INTERVAL`, and a key found that way is only trusted if a person
pinned its thumbprint or the hub's registry vouches for it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError

from federation import statements as fst
from federation.chain import ChainState
from federation.errors import DeliveryError, StatementError
from federation.keys import thumbprint
from node import clock
from node.extensions import db
from node.groups.models import Group
from node.peering import net
from node.peering.models import ForkEvidence, Peer, Statement

log = logging.getLogger(__name__)
JWKS_REFETCH_INTERVAL = timedelta(minutes=10)
TRUSTED_STATUSES = ("active", "flagged")


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


# What a receiver holds last for an issuer: built once, run on the session's connection (Core,
# no ORM result machinery) at the start of every batch.
_LAST_HELD = (
    select(Statement.seq, Statement.hash)
    .where(Statement.group_id == bindparam("group_id"), Statement.issuer == bindparam("issuer"))
    .order_by(Statement.seq.desc())
    .limit(1)
)


class _Receiver:
    """Per-batch caches: peers, chain states and trusted keys by issuer."""

    def __init__(self, group: Group, refetch: bool) -> None:
        self.group = group
        self.refetch = refetch
        self.peers: dict[str, Peer | None] = {}
        self.states: dict[str, ChainState] = {}
        # (issuer, kid) -> the trusted JWK; forgotten whenever an issuer's keys change
        self.keys: dict[tuple[str, str], dict[str, Any]] = {}

    def forget_keys(self) -> None:
        self.keys.clear()

    def peer(self, issuer: str) -> Peer | None:
        if issuer not in self.peers:
            self.peers[issuer] = db.session.scalar(
                select(Peer).where(Peer.group_id == self.group.id, Peer.issuer == issuer)
            )
        return self.peers[issuer]

    def lookup(self, issuer: str, kid: str) -> fst.LookupResult:
        found = self.keys.get((issuer, kid))
        if found is None:
            found = self._lookup(issuer, kid)
            if isinstance(found, dict):
                self.keys[(issuer, kid)] = found
        return found

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
        def at(seq: int) -> str | None:
            return db.session.scalar(
                select(Statement.compact).where(
                    Statement.group_id == self.group.id,
                    Statement.issuer == issuer,
                    Statement.seq == seq,
                )
            )

        return at


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


def _record_fork(receiver: _Receiver, st: fst.VerifiedStatement, detail: str) -> None:
    group = receiver.group
    exists = db.session.scalar(
        select(ForkEvidence.id).where(
            ForkEvidence.group_id == group.id, ForkEvidence.compact == st.compact
        )
    )
    if exists is None:
        db.session.add(
            ForkEvidence(
                group_id=group.id,
                issuer=st.issuer,
                seq=st.seq,
                compact=st.compact,
                detail=detail[:500],
            )
        )
    peer = receiver.peer(st.issuer)
    if peer is not None:
        peer.status = "flagged"
        peer.status_detail = f"chain fork at seq {st.seq}: {detail}"[:500]
    log.warning("chain fork from %s at seq %s", st.issuer, st.seq)


def receive(group: Group, compacts: Sequence[str], *, refetch: bool = True) -> IngestReport:
    """Verify and store ``compacts`` (:func:`node.peering.batch.ingest_batch`) and commit.
    A concurrent push and pull of the same statement can race to
    the UNIQUE constraint; the loser simply runs again and finds a duplicate."""
    group_id = group.id
    from node.peering.batch import ingest_batch  # same checks, one bulk insert per batch

    for attempt in range(3):
        try:
            report = ingest_batch(group, compacts, refetch=refetch)
            db.session.commit()
            return report
        except IntegrityError:  # from the INSERT or, for deferred checks, the COMMIT
            db.session.rollback()
            group = db.session.get(Group, group_id)  # type: ignore[assignment]
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
