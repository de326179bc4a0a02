"""Appending to the log and reading it back: entries, leaf indexes and proofs.

Appending happens inside the ingest transaction (the hub's ``statements_received`` receiver), so
a statement is in the log exactly when it is stored: the batch's leaves, the complete subtrees it
completes and the new head are written with the statements, or not at all. The head row is read
``FOR UPDATE`` (PostgreSQL; SQLite has one writer at a time anyway), which serialises appends:
leaf order is commit order. An append reads only the head (its frontier) and the ids of the
statements just inserted; it writes ``n`` leaf rows and about ``n`` subtree rows in two bulk
inserts. Nothing is rebuilt.

Proofs (``federation.tlog.merkle``) ask for complete subtrees; :func:`_prefetched` runs the
proof once to learn which (the shape of a proof never depends on hash values), reads them in two
queries, and runs it again on the rows read: O(log n) rows, two round trips.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, select, tuple_, update

from federation import statements as fst
from federation.errors import StatementError
from federation.tlog import merkle
from federation.tlog.errors import ProofError
from node.bulk import dialect_insert, insert_rows
from node.extensions import db
from node.hub.log.models import LogHead, LogLeaf, LogNode
from node.peering.models import Statement

HEADS: Table = db.metadata.tables[LogHead.__tablename__]
LEAVES: Table = db.metadata.tables[LogLeaf.__tablename__]
NODES: Table = db.metadata.tables[LogNode.__tablename__]
T = TypeVar("T")

_HEAD_FOR_UPDATE = (
    select(LogHead.size, LogHead.frontier)
    .where(LogHead.group_id == bindparam("group_id"))
    .with_for_update()
)
_SET_HEAD = (
    update(LogHead)
    .where(LogHead.group_id == bindparam("b_group_id"))
    .values(size=bindparam("b_size"), frontier=bindparam("b_frontier"))
)


def _frontier(size: int, packed: bytes) -> merkle.Frontier:
    return merkle.Frontier.restore(size, [packed[i : i + 32] for i in range(0, len(packed), 32)])


def lock_head(hub_id: int) -> merkle.Frontier:
    """The head row, locked until the transaction ends (made on the first append)."""
    connection = db.session.connection()
    row = connection.execute(_HEAD_FOR_UPDATE, {"group_id": hub_id}).first()
    if row is None:
        insert = dialect_insert(HEADS).values(group_id=hub_id, size=0, frontier=b"")
        connection.execute(insert.on_conflict_do_nothing())
        row = connection.execute(_HEAD_FOR_UPDATE, {"group_id": hub_id}).first()
    if row is None:  # pragma: no cover - the row was just written in this transaction
        raise RuntimeError("the log head row could not be created")
    return _frontier(row[0], row[1])


# The ids of the statements a batch just stored, per issuer (one indexed range read each).
_STORED_IDS = select(Statement.seq, Statement.id).where(
    Statement.group_id == bindparam("group_id"),
    Statement.issuer == bindparam("issuer"),
    Statement.seq.between(bindparam("low"), bindparam("high")),
)


def _statement_pks(hub_id: int, statements: Sequence[fst.VerifiedStatement]) -> dict[Any, int]:
    """(issuer, seq) -> the stored row's id."""
    seqs: dict[str, list[int]] = {}
    for st in statements:
        seqs.setdefault(st.issuer, []).append(st.seq)
    connection = db.session.connection()
    found: dict[Any, int] = {}
    for issuer, numbers in seqs.items():
        params = {"group_id": hub_id, "issuer": issuer, "low": min(numbers), "high": max(numbers)}
        found.update(((issuer, seq), pk) for seq, pk in connection.execute(_STORED_IDS, params))
    return found


def append(hub_id: int, statements: Sequence[fst.VerifiedStatement]) -> list[int]:
    """Append just-stored ``statements`` in order; returns their leaf indexes. No commit."""
    if not statements:
        return []
    frontier = lock_head(hub_id)
    pks = _statement_pks(hub_id, statements)
    leaves: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    for st in statements:
        created = frontier.append(merkle.leaf_hash(st.compact.encode("ascii")))
        leaf = created[0]
        leaves.append(
            {
                "group_id": hub_id,
                "leaf_index": leaf.index,
                "statement_pk": pks[(st.issuer, st.seq)],
                "hash": leaf.hash,
            }
        )
        nodes.extend(
            {"group_id": hub_id, "level": n.level, "node_index": n.index, "hash": n.hash}
            for n in created[1:]
        )
    insert_rows(LEAVES, leaves)
    insert_rows(NODES, nodes)
    db.session.connection().execute(
        _SET_HEAD,
        {"b_group_id": hub_id, "b_size": frontier.size, "b_frontier": b"".join(frontier.hashes)},
    )
    return [leaf["leaf_index"] for leaf in leaves]


@dataclass(frozen=True)
class Head:
    size: int
    root: bytes


def head(hub_id: int) -> Head:
    """The current size and root (no lock: a committed state)."""
    row = db.session.execute(
        select(LogHead.size, LogHead.frontier).where(LogHead.group_id == hub_id)
    ).first()
    if row is None:
        return Head(0, merkle.EMPTY_ROOT)
    return Head(row[0], _frontier(row[0], row[1]).root())


def _read_subtrees(hub_id: int, wanted: Iterable[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    wanted = set(wanted)
    leaf_indexes = [index for level, index in wanted if level == 0]
    pairs = [(level, index) for level, index in wanted if level > 0]
    found: dict[tuple[int, int], bytes] = {}
    if leaf_indexes:
        leaf_rows = db.session.execute(
            select(LogLeaf.leaf_index, LogLeaf.hash).where(
                LogLeaf.group_id == hub_id, LogLeaf.leaf_index.in_(leaf_indexes)
            )
        )
        found.update(((0, index), h) for index, h in leaf_rows)
    if pairs:
        node_rows = db.session.execute(
            select(LogNode.level, LogNode.node_index, LogNode.hash).where(
                LogNode.group_id == hub_id,
                tuple_(LogNode.level, LogNode.node_index).in_(pairs),
            )
        )
        found.update(((level, index), h) for level, index, h in node_rows)
    missing = wanted - found.keys()
    if missing:
        raise ProofError(f"the log lacks subtree {sorted(missing)[0]}")
    return found


def _prefetched(hub_id: int, build: Callable[[merkle.RangeHash], T]) -> T:
    """Run ``build`` over a range-hash function backed by two reads of the stored subtrees."""
    wanted: list[tuple[int, int]] = []

    def record(level: int, index: int) -> bytes:
        wanted.append((level, index))
        return merkle.EMPTY_ROOT  # any 32 bytes: the proof's shape does not depend on them

    build(merkle.range_hash(record))
    found = _read_subtrees(hub_id, wanted)
    return build(merkle.range_hash(lambda level, index: found[(level, index)]))


def inclusion_proof(hub_id: int, leaf_index: int, tree_size: int) -> list[bytes]:
    """RFC 9162 PATH(leaf_index, D[0:tree_size]); the caller checks ``tree_size`` ≤ the size."""
    return _prefetched(
        hub_id, lambda hash_of: merkle.inclusion_proof(leaf_index, tree_size, hash_of)
    )


def consistency_proof(hub_id: int, first: int, second: int) -> list[bytes]:
    """RFC 9162 PROOF(first, D[0:second]); the caller checks ``second`` ≤ the size."""
    return _prefetched(hub_id, lambda hash_of: merkle.consistency_proof(first, second, hash_of))


def root_at(hub_id: int, size: int) -> bytes:
    """MTH(D[0:size]) for any size up to the current one (at most log2(size) + 1 reads)."""
    return _prefetched(hub_id, lambda hash_of: hash_of(0, size))


def entries(hub_id: int, start: int, limit: int) -> list[tuple[int, str]]:
    """(leaf index, compact) of leaves ``start`` … ``start + limit - 1`` that exist."""
    rows = db.session.execute(
        select(LogLeaf.leaf_index, Statement.compact)
        .join(Statement, Statement.id == LogLeaf.statement_pk)
        .where(
            LogLeaf.group_id == hub_id,
            LogLeaf.leaf_index >= start,
            LogLeaf.leaf_index < start + limit,
        )
        .order_by(LogLeaf.leaf_index)
    )
    return [(index, compact) for index, compact in rows]


def indexes_of(hub_id: int, compacts: Sequence[str]) -> dict[str, int]:
    """Statement id -> leaf index for each of ``compacts`` that is in the log (byte for byte:
    another issuer's statement with the same id does not count)."""
    by_id: dict[str, set[str]] = {}
    for compact in compacts:
        try:
            _, payload = fst.peek(compact)
        except StatementError:
            continue
        if isinstance(payload.get("id"), str):
            by_id.setdefault(payload["id"], set()).add(compact)
    if not by_id:
        return {}
    rows = db.session.execute(
        select(Statement.statement_id, Statement.compact, LogLeaf.leaf_index)
        .join(LogLeaf, LogLeaf.statement_pk == Statement.id)
        .where(Statement.group_id == hub_id, Statement.statement_id.in_(list(by_id)))
    )
    return {sid: index for sid, compact, index in rows if compact in by_id[sid]}


def leaves_of(hub_id: int, statement_id: str, issuer: str | None = None) -> list[tuple[int, str]]:
    """(leaf index, issuer) of every logged statement with id ``statement_id``."""
    stmt = (
        select(LogLeaf.leaf_index, Statement.issuer)
        .join(LogLeaf, LogLeaf.statement_pk == Statement.id)
        .where(Statement.group_id == hub_id, Statement.statement_id == statement_id)
        .order_by(LogLeaf.leaf_index)
    )
    if issuer is not None:
        stmt = stmt.where(Statement.issuer == issuer)
    return [(index, who) for index, who in db.session.execute(stmt)]
