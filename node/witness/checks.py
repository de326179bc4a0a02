"""One witness check of a hub's log for one group (protocol §14.8), as findings.

The order is the protocol's: the hub's log key (pinned on first use; a different key is
evidence), the checkpoint's signature, consistency with the last checkpoint this group
verified, then inclusion of each of our own statements the hub placed in its log, then our own
statements it accepted but never placed (read from its entries; left out after the grace period
is evidence). A step that finds something stops the check: nothing after it is cosigned.

What the hub *cannot* sign its way out of is a finding (:class:`Finding`, kept for ever by
:mod:`node.witness.evidence`); an answer we cannot use at all (unreachable, malformed) raises
:class:`~federation.errors.DeliveryError` and is retried by the scheduler like any failure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, func, select

from federation.errors import BadResponse, DeliveryError
from federation.tlog import (
    CheckpointError,
    Ed25519Verifier,
    InvalidSignatureError,
    NoteError,
    ProofError,
    SignedCheckpoint,
    UnverifiedNoteError,
    leaf_hash,
    open_checkpoint,
    parse_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from federation.tlog.checkpoint import Checkpoint
from federation.tlog.names import log_origin
from federation.tlog.note import b64encode, parse
from node import clock
from node.extensions import db
from node.peering.log_positions import INBOX
from node.peering.models import Delivery, LogPosition, Statement
from node.witness.models import WitnessState
from node.witness.remote import HubLog

MAX_INCLUSIONS = 200  # inclusion proofs asked per run (the rest next run)
SCAN_PAGES = 20  # entry pages read per run looking for statements without a leaf index


@dataclass
class Finding:
    """Something the hub showed that it must not: kept as evidence."""

    kind: str
    detail: str
    checkpoint: str | None = None
    other_checkpoint: str | None = None
    other_source: str | None = None
    proof: dict[str, Any] = field(default_factory=dict)
    statement: Statement | None = None


@dataclass
class Outcome:
    findings: list[Finding]
    served: str | None = None  # the checkpoint note as the hub served it (verified)
    opened: SignedCheckpoint | None = None
    stale: bool = False  # an older checkpoint, consistent with ours: nothing to cosign


def body(note_text: str) -> Checkpoint:
    """The checkpoint inside a note already verified once (stored state, a finding's copy)."""
    return parse_checkpoint(parse(note_text).text)


def log_verifier(state: WitnessState, hub: HubLog, findings: list[Finding]) -> Ed25519Verifier:
    """The pinned log key (pinned now if this is the first look); a different key is a finding."""
    served = hub.key()
    try:
        fresh = Ed25519Verifier.from_key(served)
    except NoteError as exc:
        raise BadResponse(f"the hub's log key is unusable: {exc}") from None
    if state.log_key is None:
        if fresh.name != log_origin(state.hub_url):
            raise BadResponse(f"the hub's log key is named {fresh.name!r}, not after its log")
        state.log_key = fresh.key
    elif served != state.log_key:
        findings.append(
            Finding(
                "key-changed",
                f"The hub now names log key {served[:150]}; we pinned {state.log_key[:150]}.",
                proof={"pinned": state.log_key, "served": served[:400]},
            )
        )
    return Ed25519Verifier.from_key(state.log_key)


def open_served(note_text: str, verifier: Ed25519Verifier) -> SignedCheckpoint | Finding:
    try:
        return open_checkpoint(note_text, verifier)
    except (InvalidSignatureError, UnverifiedNoteError, CheckpointError) as exc:
        return Finding("bad-signature", f"The checkpoint does not verify: {exc}"[:1000], note_text)
    except NoteError as exc:
        raise BadResponse(f"the hub's checkpoint is malformed: {exc}") from None


def consistent(hub: HubLog, old: Checkpoint, new: Checkpoint) -> tuple[bool, dict[str, Any], str]:
    """Does the larger of ``old`` and ``new`` extend the smaller (a proof from the hub)?"""
    first, second = (old, new) if old.size <= new.size else (new, old)
    proof: dict[str, Any] = {"first": first.size, "second": second.size}
    try:
        hashes = hub.consistency(first.size, second.size) if first.size != second.size else []
    except DeliveryError as exc:
        if exc.retryable:
            raise
        # Both sizes are in checkpoints the hub signed: it must be able to prove them.
        return False, proof, f"the hub refused to prove one extends the other ({exc})"
    proof["hashes"] = [b64encode(h) for h in hashes]
    try:
        verify_consistency(first.size, second.size, first.root, second.root, hashes)
    except ProofError as exc:
        return False, proof, str(exc)
    return True, proof, ""


def check_consistency(state: WitnessState, hub: HubLog, outcome: Outcome) -> None:
    if state.checkpoint is None or outcome.opened is None:
        return
    old, new = body(state.checkpoint), outcome.opened.checkpoint
    ok, proof, why = consistent(hub, old, new)
    if not ok:
        outcome.findings.append(
            Finding(
                "inconsistent",
                f"The log of size {new.size} does not extend the one of size {old.size} "
                f"we saw before: {why}",
                outcome.served,
                state.checkpoint,
                proof=proof,
            )
        )
    elif new.size < old.size:
        outcome.stale = True


def _check_inclusion(
    position: LogPosition, checkpoint: Checkpoint, hub: HubLog, served: str
) -> Finding | None:
    statement = position.statement
    hashes = hub.inclusion(position.leaf_index, checkpoint.size)
    proof = {
        "leaf_index": position.leaf_index,
        "tree_size": checkpoint.size,
        "leaf_hash": b64encode(leaf_hash(statement.compact.encode("ascii"))),
        "hashes": [b64encode(h) for h in hashes],
    }
    try:
        verify_inclusion(
            position.leaf_index,
            checkpoint.size,
            leaf_hash(statement.compact.encode("ascii")),
            hashes,
            checkpoint.root,
        )
    except ProofError as exc:
        return Finding(
            "not-included",
            f"Our statement {statement.statement_id} is not entry {position.leaf_index} "
            f"of the log of size {checkpoint.size}: {exc}",
            served,
            proof=proof,
            statement=statement,
        )
    position.verified_size, position.verified_at = checkpoint.size, clock.utcnow_naive()
    return None


def check_inclusions(
    group_id: int, hub_id: str, hub: HubLog, outcome: Outcome, grace: timedelta
) -> None:
    """Each own statement the hub placed and we have not yet seen included."""
    if outcome.opened is None or outcome.served is None:
        return
    checkpoint, now = outcome.opened.checkpoint, clock.utcnow_naive()
    positions = db.session.scalars(
        select(LogPosition)
        .where(
            LogPosition.group_id == group_id,
            LogPosition.log == hub_id,
            LogPosition.verified_size.is_(None),
        )
        .order_by(LogPosition.leaf_index)
        .limit(MAX_INCLUSIONS)
    ).all()
    for position in positions:
        if position.leaf_index < checkpoint.size:
            finding = _check_inclusion(position, checkpoint, hub, outcome.served)
            if finding is not None:
                outcome.findings.append(finding)
        elif position.recorded_at <= now - grace:
            statement = position.statement
            outcome.findings.append(
                Finding(
                    "missing",
                    f"The hub placed our statement {statement.statement_id} at entry "
                    f"{position.leaf_index}, but its log still has only {checkpoint.size} "
                    "entries.",
                    outcome.served,
                    proof={"leaf_index": position.leaf_index, "tree_size": checkpoint.size},
                    statement=statement,
                )
            )


def _unplaced(group_id: int, hub_id: str) -> list[tuple[Statement, datetime]]:
    """Own statements the hub accepted from us with no known place in its log, since the hub
    first answered with a leaf index: what it accepted before it kept a log (an install
    upgraded to the log) is not expected in it."""
    since = db.session.scalar(
        select(func.min(LogPosition.recorded_at)).where(
            LogPosition.group_id == group_id,
            LogPosition.log == hub_id,
            LogPosition.source == "accepted",
        )
    )
    if since is None:
        return []
    placed = exists().where(LogPosition.statement_pk == Statement.id, LogPosition.log == hub_id)
    rows = db.session.execute(
        select(Statement, Delivery.delivered_at)
        .join(Delivery, Delivery.statement_pk == Statement.id)
        .where(
            Delivery.group_id == group_id,
            Delivery.state == "delivered",
            Delivery.destination == hub_id + INBOX,
            Delivery.delivered_at >= since,
            Statement.verification == "own",
            ~placed,
        )
        .order_by(Statement.seq)
        .limit(MAX_INCLUSIONS)
    ).all()
    return [(statement, when or clock.utcnow_naive()) for statement, when in rows]


def check_unplaced(
    state: WitnessState, hub_id: str, hub: HubLog, outcome: Outcome, grace: timedelta
) -> None:
    """Find accepted statements without a leaf index in the log's entries (from where the
    last search stopped); one past the grace period and not in the log is a finding."""
    if outcome.opened is None:
        return
    checkpoint, now = outcome.opened.checkpoint, clock.utcnow_naive()
    unplaced = _unplaced(state.group_id, hub_id)
    if not unplaced:
        return
    by_compact = {statement.compact: statement for statement, _ in unplaced}
    for _ in range(SCAN_PAGES):
        if state.scanned_to >= checkpoint.size or not by_compact:
            break
        limit = min(checkpoint.size - state.scanned_to, 1000)
        page = hub.entries(state.scanned_to, limit)
        if not page:
            break
        for index, compact in page:
            statement = by_compact.pop(compact, None)
            if statement is not None:
                db.session.add(
                    LogPosition(
                        group_id=state.group_id,
                        statement_pk=statement.id,
                        log=hub_id,
                        leaf_index=index,
                        source="found",
                    )
                )
            state.scanned_to = index + 1
    if state.scanned_to < checkpoint.size:
        return  # not read to the end yet: judge next run
    for statement, delivered in unplaced:
        if statement.compact in by_compact and delivered <= now - grace:
            outcome.findings.append(
                Finding(
                    "missing",
                    f"The hub accepted our statement {statement.statement_id} but its log of "
                    f"{checkpoint.size} entries does not hold it.",
                    outcome.served,
                    proof={"tree_size": checkpoint.size, "scanned_to": state.scanned_to},
                    statement=statement,
                )
            )


def check(state: WitnessState, hub: HubLog, grace: timedelta) -> Outcome:
    """Every check of one run, in order; the first step with a finding ends the run."""
    findings: list[Finding] = []
    verifier = log_verifier(state, hub, findings)
    served = hub.checkpoint()
    opened = open_served(served, verifier)
    if isinstance(opened, Finding):
        return Outcome([*findings, opened])
    outcome = Outcome(findings, served, opened)
    if findings:
        return outcome
    check_consistency(state, hub, outcome)
    if outcome.findings or outcome.stale:
        return outcome
    hub_id = state.hub_url.rstrip("/")
    check_inclusions(state.group_id, hub_id, hub, outcome, grace)
    check_unplaced(state, hub_id, hub, outcome, grace)
    return outcome
