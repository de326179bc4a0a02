"""The log's part of ``commonground hub audit``: check every stored row of the log from scratch.

Nothing stored is trusted. Each leaf's hash must be the leaf hash of the statement it names, and
the leaves must be numbered 0, 1, 2 … without a gap; each stored subtree must be the node hash
of its two stored children (level by level, two ordered reads per level, so a 1,000,000-entry
log is read twice and never held in memory); the head's size and frontier must be those of the
leaves; and each kept checkpoint must be signed by the log key and name the root the tree has at
its size. A byte changed in any of them is reported, so the hub cannot quietly edit its own log
either (a witness would also see it: docs/protocol.md §14).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select

from federation.tlog import checkpoint as tcp
from federation.tlog import merkle, note
from federation.tlog.errors import TlogError
from node.extensions import db
from node.hub.log import store
from node.hub.log.models import LogCheckpoint, LogHead, LogLeaf, LogNode
from node.peering.models import Statement

PER_READ = 5000


def _level(hub_id: int, level: int) -> Generator[tuple[int, bytes], None, None]:
    if level == 0:
        stmt = select(LogLeaf.leaf_index, LogLeaf.hash).where(LogLeaf.group_id == hub_id)
        stmt = stmt.order_by(LogLeaf.leaf_index)
    else:
        stmt = (
            select(LogNode.node_index, LogNode.hash)
            .where(LogNode.group_id == hub_id, LogNode.level == level)
            .order_by(LogNode.node_index)
        )
    rows = db.session.execute(stmt.execution_options(yield_per=PER_READ))
    try:
        yield from ((index, hash_) for index, hash_ in rows)
    finally:  # a stream left early still closes its server-side cursor
        rows.close()


def _leaves(hub_id: int, problems: list[str]) -> merkle.Frontier:
    frontier = merkle.Frontier()
    stmt = (
        select(LogLeaf.leaf_index, LogLeaf.hash, Statement.compact)
        .join(Statement, Statement.id == LogLeaf.statement_pk)
        .where(LogLeaf.group_id == hub_id)
        .order_by(LogLeaf.leaf_index)
        .execution_options(yield_per=PER_READ)
    )
    with db.session.execute(stmt) as rows:
        for index, stored, compact in rows:
            if index != frontier.size:
                problems.append(f"log: leaf {frontier.size} is missing (the next is {index})")
                break
            leaf = merkle.leaf_hash(compact.encode("ascii"))
            if stored != leaf:
                problems.append(f"log: leaf {index} is not the hash of its statement")
            frontier.append(leaf)
    return frontier


def _subtrees(hub_id: int, size: int, problems: list[str]) -> None:
    for level in range(1, size.bit_length()):
        children, parents = _level(hub_id, level - 1), _level(hub_id, level)
        try:
            seen = _check_level(level, children, parents, problems)
        finally:
            children.close()
            parents.close()
        if seen >= 0 and seen != size >> level:
            problems.append(f"log: level {level} has {seen} subtrees, not {size >> level}")


def _check_level(
    level: int,
    children: Iterator[tuple[int, bytes]],
    parents: Iterator[tuple[int, bytes]],
    problems: list[str],
) -> int:
    """Compare each stored subtree of ``level`` with its stored children; returns how many."""
    seen = 0
    for index, stored in parents:
        left, right = next(children, None), next(children, None)
        if index != seen or left is None or right is None or left[0] != 2 * index:
            problems.append(f"log: subtree ({level}, {seen}) is missing or out of place")
            return -1
        if stored != merkle.node_hash(left[1], right[1]):
            problems.append(f"log: subtree ({level}, {index}) is not the hash of its children")
        seen += 1
    return seen


def _checkpoints(hub_id: int, head: LogHead, problems: list[str]) -> int:
    rows = db.session.scalars(select(LogCheckpoint).where(LogCheckpoint.group_id == hub_id)).all()
    if rows and (head.public_key is None or head.key_name is None):
        problems.append("log: checkpoints are kept but the log has no key")
        return len(rows)
    for row in rows:
        try:
            verifier = note.Ed25519Verifier(
                head.key_name or "", Ed25519PublicKey.from_public_bytes(head.public_key or b"")
            )
            signed = tcp.open_checkpoint(row.note, verifier)
        except (TlogError, ValueError) as exc:
            problems.append(f"log: checkpoint of size {row.size} does not verify: {exc}")
            continue
        if signed.checkpoint.size != row.size or signed.checkpoint.root != row.root:
            problems.append(f"log: checkpoint of size {row.size} differs from its columns")
        elif row.size <= head.size and store.root_at(hub_id, row.size) != row.root:
            problems.append(f"log: checkpoint of size {row.size} names another tree's root")
    return len(rows)


def audit_log(hub_id: int) -> tuple[int, list[str]]:
    """(leaves checked, problems) of the hub's log; an empty log is fine."""
    problems: list[str] = []
    head = db.session.get(LogHead, hub_id)
    if head is None:
        return 0, problems
    frontier = _leaves(hub_id, problems)
    _subtrees(hub_id, frontier.size, problems)
    if head.size != frontier.size or head.frontier != b"".join(frontier.hashes):
        problems.append(
            f"log: the head says {head.size} leaves with another right edge; "
            f"the leaves make {frontier.size}"
        )
    _checkpoints(hub_id, head, problems)
    return frontier.size, problems
