"""What ``commonground log prove`` does (kept apart from click so tests call it directly)."""

from __future__ import annotations

from sqlalchemy import select

from federation.tlog import Ed25519Verifier, ProofError, leaf_hash, open_checkpoint
from federation.tlog import verify_inclusion as check_inclusion
from federation.tlog.note import b64encode
from node.extensions import db
from node.groups.models import Group
from node.hub.models import HubLink
from node.peering import net
from node.peering.models import LogPosition, Statement
from node.witness.models import WitnessState
from node.witness.remote import HubLog


class ProofFailed(Exception):
    """The statement is not proved to be in the log; the message is one sentence."""


def prove_statement(group: Group, statement_id: str) -> list[str]:
    statement = db.session.scalar(
        select(Statement).where(
            Statement.group_id == group.id,
            Statement.statement_id == statement_id,
            Statement.issuer == group.url,
        )
    )
    if statement is None:
        raise ProofFailed(f"{group.name} has no statement of its own with id {statement_id}.")
    links = db.session.scalars(select(HubLink).where(HubLink.group_id == group.id)).all()
    if not links:
        raise ProofFailed(f"{group.name} has not joined a hub, so no log holds its statements.")
    link = links[0]
    position = db.session.scalar(
        select(LogPosition).where(
            LogPosition.statement_pk == statement.id,
            LogPosition.log == link.hub_url.rstrip("/"),
        )
    )
    if position is None:
        raise ProofFailed(
            "The hub has not told us where this statement is in its log yet "
            "(not delivered, or the witness has not found it yet)."
        )
    state = db.session.scalar(
        select(WitnessState).where(
            WitnessState.group_id == group.id, WitnessState.hub_url == link.hub_url
        )
    )
    client = net.client()
    try:
        hub = HubLog(client, link.hub_url)
        served_key = hub.key()
        key = state.log_key if state is not None and state.log_key else served_key
        if key != served_key:
            raise ProofFailed(
                "The hub now signs with a different log key from the one our witness pinned."
            )
        verifier = Ed25519Verifier.from_key(key)
        checkpoint = open_checkpoint(hub.checkpoint(), verifier).checkpoint
        if position.leaf_index >= checkpoint.size:
            raise ProofFailed(
                f"The hub's latest log has {checkpoint.size} entries; our statement should be "
                f"entry {position.leaf_index}, so it is not in it yet."
            )
        hashes = hub.inclusion(position.leaf_index, checkpoint.size)
    finally:
        client.close()
    leaf = leaf_hash(statement.compact.encode("ascii"))
    try:
        check_inclusion(position.leaf_index, checkpoint.size, leaf, hashes, checkpoint.root)
    except ProofError:
        raise ProofFailed(
            f"The hub's proof does not show statement {statement_id} as entry "
            f"{position.leaf_index} of its log of {checkpoint.size} entries."
        ) from None
    return [
        f"Statement {statement_id} is entry {position.leaf_index} of the log "
        f"{checkpoint.origin} ({checkpoint.size} entries).",
        f"Root hash {b64encode(checkpoint.root)}, signed by the log key {verifier.key}.",
        f"Leaf hash {b64encode(leaf)}; inclusion proof of {len(hashes)} hash(es) verified.",
    ]
