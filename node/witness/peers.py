"""Split views: compare the hub's checkpoint we verified with the ones our peers verified.

Each node publishes the checkpoints its groups last verified (``GET
/federation/witness/checkpoints``). A peer's checkpoint counts only if the hub's pinned log key
signed it (a peer cannot frame the hub); then the two trees must be the same tree or one must
extend the other, which the hub proves with a consistency proof. Two roots for one size, or a
proof that fails, is a split view: the hub showed that group a different log from ours.
An unreachable peer or one without a checkpoint of this log is simply skipped. A run compares at
most ``MAX_PEERS`` peers, each run going on where the last stopped, so that every peer of a
group that follows many is compared within a few runs.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from federation.errors import DeliveryError
from federation.tlog import Ed25519Verifier, TlogError, open_checkpoint
from node.extensions import db
from node.peering.models import Peer
from node.witness.checks import Finding, consistent
from node.witness.models import WitnessState
from node.witness.remote import HubLog, peer_checkpoints

log = logging.getLogger(__name__)
MAX_PEERS = 20  # compared per run


def compare_with_peers(state: WitnessState, hub: HubLog) -> list[Finding]:
    """Findings for every peer whose verified checkpoint of this log contradicts ours."""
    if state.checkpoint is None or state.log_key is None:
        return []
    verifier = Ed25519Verifier.from_key(state.log_key)
    ours = open_checkpoint(state.checkpoint, verifier).checkpoint
    findings: list[Finding] = []
    for issuer, name in peers_to_compare(state):
        try:
            texts = peer_checkpoints(hub.client, issuer)
        except DeliveryError as exc:
            log.info("witness: no checkpoints from %s: %s", issuer, exc)
            continue
        for text in texts:
            try:
                theirs = open_checkpoint(text, verifier).checkpoint
            except TlogError:
                continue  # not this log's, or not signed by its key: proves nothing
            if theirs.text() == ours.text():
                continue
            try:
                ok, proof, why = consistent(hub, ours, theirs)
            except DeliveryError as exc:
                log.info("witness: no consistency proof for %s's checkpoint: %s", issuer, exc)
                continue  # ask again next run
            if not ok:
                findings.append(
                    Finding(
                        "split-view",
                        f"{name} verified a log of size {theirs.size} that is not the same "
                        f"tree as ours of size {ours.size}: {why}",
                        state.checkpoint,
                        text,
                        issuer,
                        proof,
                    )
                )
    return findings


def peers_to_compare(state: WitnessState) -> list[tuple[str, str]]:
    """This run's peers (issuer, name): all of them when there are at most ``MAX_PEERS``, or else
    the ``MAX_PEERS`` after the last run's (``state.peers_from``), wrapping round to the first."""
    rows = [
        row
        for row in db.session.execute(
            select(Peer.id, Peer.issuer, Peer.name)
            .where(Peer.group_id == state.group_id, Peer.status.in_(("active", "flagged")))
            .order_by(Peer.id)
        )
        if row.issuer.rstrip("/") != state.hub_url.rstrip("/")
    ]
    if len(rows) <= MAX_PEERS:
        state.peers_from = 0
        window = rows
    else:
        start = next((i for i, row in enumerate(rows) if row.id > state.peers_from), 0)
        window = (rows[start:] + rows[:start])[:MAX_PEERS]
        state.peers_from = window[-1].id
    return [(row.issuer, row.name) for row in window]
