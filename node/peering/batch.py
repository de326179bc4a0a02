"""Receiving statements, a batch at a time (the only receiving path).

``ingest.receive`` (the inbox view, pulls, the hub's sweep and ``bench/``) calls
:func:`ingest_batch`. Per batch, in order:

1. **verify and chain, in memory**: each statement is verified (``federation.statements.verify``:
   pure CPU) and classified against the chain state held for its issuer, which is read once per
   issuer per batch and then advanced in memory as statements are accepted. A key-rotation
   accepted earlier in the batch is applied to the peer's keys at once, so statements signed with
   the new key later in the same batch verify. The batch stops at the first refusal (the
   statements before it stay accepted, protocol §7.2), exactly as the per-statement path did.
2. **store**: the accepted statements are inserted together (``node.bulk.insert_rows``: COPY
   on PostgreSQL, one executemany on SQLite; no ORM objects), then the retractions among them
   are applied (their targets may be in the same batch).
3. **hooks**: the ``statements_received`` signal (the hub's aggregates listen, and
   touch each counter once per batch) get the verified statements, inside the caller's
   transaction: ``receive`` commits once per batch.

Why batches: a per-statement path made about a dozen SQL round trips per statement (chain look-ups,
flushes, counter upserts with savepoints); the hub spent >95% of ingest time waiting on them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from federation import statements as fst
from federation.batch import verify_many
from federation.chain import ChainState, classify
from federation.errors import StatementError
from federation.keys import thumbprint
from node import clock, signals
from node.bulk import JSONText, insert_rows
from node.extensions import db
from node.groups.models import Group
from node.peering.models import Peer, Statement
from node.peering.operations import mark_retracted

_ADVANCE_PULL = (
    update(Peer).where(Peer.id == bindparam("peer_id")).values(last_pulled_seq=bindparam("seq"))
)


def _held_with_pending(receiver: Any, issuer: str, pending: dict[tuple[str, int], str]) -> Any:
    at_db = receiver.held(issuer)

    def at(seq: int) -> str | None:
        found = pending.get((issuer, seq))
        return found if found is not None else at_db(seq)

    return at


def _apply_key_effects(receiver: Any, st: fst.VerifiedStatement) -> None:
    """What a key-rotation changes for verifying the rest of the batch."""
    if st.type != "key-rotation":
        return
    peer = receiver.peer(st.issuer)
    new_key = {**st.body["new_key"], "kid": thumbprint(st.body["new_key"])}
    if all(jwk.get("kid") != new_key["kid"] for jwk in peer.keys):
        peer.keys = [*peer.keys, new_key]
    peer.retired_kids = {**(peer.retired_kids or {}), st.kid: st.seq}
    receiver.forget_keys()


def _chain(
    receiver: Any,
    st: fst.VerifiedStatement,
    pending: dict[tuple[str, int], str],
    accepted: list[fst.VerifiedStatement],
    report: Any,
) -> None:
    """Classify one verified statement against its issuer's chain; raise its refusal."""
    retired_at = (receiver.peer(st.issuer).retired_kids or {}).get(st.kid)
    if retired_at is not None and st.seq > retired_at:
        raise StatementError("unknown-key", f"key {st.kid[:16]} was retired at seq {retired_at}")
    held = _held_with_pending(receiver, st.issuer, pending)
    verdict = classify(st, receiver.state(st.issuer), held)
    if verdict.kind == "append":
        accepted.append(st)
        pending[(st.issuer, st.seq)] = st.compact
        receiver.states[st.issuer] = ChainState(st.seq, st.hash)
        _apply_key_effects(receiver, st)
        report.accepted += 1
        return
    if verdict.ok:
        report.duplicates += 1
        return
    if verdict.kind == "fork":
        from node.peering.ingest import _record_fork

        _record_fork(receiver, st, verdict.detail)
    elif verdict.kind == "gap":
        peer = receiver.peer(st.issuer)
        if peer is not None:
            peer.next_pull_at = clock.utcnow_naive()  # backfill in the worker
    verdict.raise_for_error()


def ingest_batch(group: Group, compacts: Sequence[str], *, refetch: bool = True) -> Any:
    """Verify and store ``compacts`` for ``group`` in order, stopping at the first refusal.

    Returns an ``ingest.IngestReport``. Adds to the session; the caller commits.
    """
    from node.peering import ingest as single

    receiver = single._Receiver(group, refetch)
    report = single.IngestReport()
    accepted: list[fst.VerifiedStatement] = []
    pending: dict[tuple[str, int], str] = {}
    position = 0
    while position < len(compacts) and report.error is None:
        # Verified stage by stage up to the first refusal or key-rotation (which changes the
        # keys that verify what follows it), then chained one by one.
        prefix = verify_many(compacts[position:], receiver.lookup)
        for st in prefix.statements:
            try:
                _chain(receiver, st, pending, accepted, report)
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
    _store(group, receiver, accepted)
    signals.send(signals.statements_received, holder=group, statements=accepted)
    return report


def _store(group: Group, receiver: Any, accepted: list[fst.VerifiedStatement]) -> None:
    """One bulk insert (``node.bulk``: no ORM objects or unit of work for rows that are only
    written here), then each peer's pull position, then the retractions."""
    now = clock.utcnow_naive()
    insert_rows(
        Statement.__table__,
        [
            {
                "group_id": group.id,
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
        assert peer is not None
        if seq > (peer.last_pulled_seq or 0):
            # One UPDATE of the one column, not the ORM's unit of work for a single attribute
            # (which cost as much per batch as inserting the batch); the loaded peer is told.
            db.session.connection().execute(_ADVANCE_PULL, {"peer_id": peer.id, "seq": seq})
            set_committed_value(peer, "last_pulled_seq", seq)
    for st in accepted:
        if st.type == "retraction":
            mark_retracted(group.id, st.issuer, st.body["statement_id"], st.id, st.body["reason"])
    db.session.flush()
