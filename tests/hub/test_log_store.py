"""The hub's stored log against the library's reference tree and verifiers (docs/protocol.md §14).

Statements are appended in random batches through ``node.hub.log.store.append`` (the code the
ingest transaction runs), then every inclusion proof and consistency proof the store serves, at
several tree sizes, must verify with ``federation.tlog.merkle``'s RFC 9162 verifiers against the
roots of an in-memory tree built independently; and a proof with any one hash altered must fail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from federation.tlog import merkle
from federation.tlog.errors import ProofError
from node.extensions import db

ISSUER = "http://walton.test"


@dataclass(frozen=True)
class Stored:
    """What ``append`` reads of a verified statement: its bytes and its place in its chain."""

    compact: str
    issuer: str
    seq: int


def _store_statements(
    hub_id: int, count: int, start: int = 1, issuer: str = ISSUER
) -> list[Stored]:
    from node.bulk import insert_rows
    from node.peering.ingest import STATEMENTS

    rows = [
        {
            "group_id": hub_id,
            "issuer": issuer,
            "seq": seq,
            "statement_id": f"00000000-0000-4000-8000-{seq:012d}",
            "type": "candidate-endorsement",
            "prev": None,
            "hash": f"h{seq}",
            "kid": "k",
            "payload": {},
            "compact": f"eyJ{seq}.payload{seq}.sig{seq}",
            "issued_at": datetime(2026, 1, 1),
            "received_at": datetime(2026, 1, 1),
            "verification": "verified",
        }
        for seq in range(start, start + count)
    ]
    insert_rows(STATEMENTS, rows)
    return [Stored(row["compact"], issuer, row["seq"]) for row in rows]


def _reset(hub_id: int) -> None:
    from node.hub.log.models import LogHead, LogLeaf, LogNode
    from node.peering.models import Statement

    for model in (LogLeaf, LogNode, LogHead):
        db.session.execute(delete(model).where(model.group_id == hub_id))
    db.session.execute(delete(Statement).where(Statement.group_id == hub_id))
    db.session.commit()


def _altered(proof: list[bytes], which: int) -> list[bytes]:
    changed = list(proof)
    changed[which] = bytes([changed[which][0] ^ 1]) + changed[which][1:]
    return changed


@pytest.fixture
def hub_id(make_group: Any) -> int:
    return int(make_group("National Hub", slug="hub", url="http://hub.test", role="hub").id)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    batches=st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=6),
    data=st.data(),
)
def test_every_proof_the_store_serves_verifies(
    app: Any, hub_id: int, batches: list[int], data: st.DataObject
) -> None:
    from node.hub.log import store

    _reset(hub_id)
    reference = merkle.MemoryTree()
    appended = 0
    for size in batches:
        statements = _store_statements(hub_id, size, appended + 1)
        indexes = store.append(hub_id, statements)
        db.session.commit()
        assert indexes == list(range(appended, appended + size))
        for s in statements:
            reference.append(s.compact.encode("ascii"))
        appended += size
        assert store.head(hub_id) == store.Head(appended, reference.root())

    sizes = data.draw(st.lists(st.integers(1, appended), min_size=1, max_size=3), label="sizes")
    for tree_size in sorted({*sizes, appended}):
        root = reference.root(tree_size)
        assert store.root_at(hub_id, tree_size) == root
        for index in range(tree_size):
            proof = store.inclusion_proof(hub_id, index, tree_size)
            assert proof == reference.inclusion_proof(index, tree_size)
            leaf = merkle.leaf_hash(f"eyJ{index + 1}.payload{index + 1}.sig{index + 1}".encode())
            merkle.verify_inclusion(index, tree_size, leaf, proof, root)
            if proof:
                with pytest.raises(ProofError):
                    merkle.verify_inclusion(
                        index, tree_size, leaf, _altered(proof, index % len(proof)), root
                    )
        for first in range(tree_size + 1):
            proof = store.consistency_proof(hub_id, first, tree_size)
            merkle.verify_consistency(first, tree_size, reference.root(first), root, proof)
            if proof:
                with pytest.raises(ProofError):
                    merkle.verify_consistency(
                        first,
                        tree_size,
                        reference.root(first),
                        root,
                        _altered(proof, first % len(proof)),
                    )


def test_a_proof_costs_two_reads_and_appends_touch_only_new_rows(app: Any, hub_id: int) -> None:
    """The store answers from complete subtrees (two queries a proof), and an append writes one
    leaf row per statement and one subtree row per merge: 1,000 leaves make 994 subtree rows
    (1,000 minus the number of set bits in 1,000), never a rebuild."""
    from sqlalchemy import event, func

    from node.hub.log import store
    from node.hub.log.models import LogLeaf, LogNode

    store.append(hub_id, _store_statements(hub_id, 1000))
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(LogLeaf)) == 1000
    assert db.session.scalar(select(func.count()).select_from(LogNode)) == 1000 - (1000).bit_count()
    queries: list[str] = []

    def count(*args: Any, **kwargs: Any) -> None:
        queries.append(str(args[2]))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        proof = store.inclusion_proof(hub_id, 617, 1000)
        consistency = store.consistency_proof(hub_id, 617, 1000)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert len(queries) == 4, queries
    assert len(proof) == 10 and 0 < len(consistency) <= 11


def test_leaf_indexes_of_a_request_match_bytes_not_just_ids(app: Any, hub_id: int) -> None:
    """``indexes_of`` answers only for the exact statements logged: a statement with the same
    id but other bytes (a forgery, or another issuer's) gets no index."""
    from node.hub.log import store

    statements = _store_statements(hub_id, 3)
    store.append(hub_id, statements)
    db.session.commit()
    assert store.leaves_of(hub_id, "00000000-0000-4000-8000-000000000002") == [(1, ISSUER)]
    assert store.leaves_of(hub_id, "00000000-0000-4000-8000-000000000002", "http://x.test") == []
    assert store.entries(hub_id, 1, 5) == [(1, statements[1].compact), (2, statements[2].compact)]


@pytest.mark.backend("postgresql")
def test_concurrent_appends_are_serialised(app: Any, hub_id: int, database: Any) -> None:
    """Two ingest transactions appending at once (PostgreSQL, two connections) queue on the head
    row: every leaf index is used once, in commit order, and the stored tree is the tree of the
    leaves in that order. Without the lock both would read the same head and write the same
    leaf indexes (a primary-key violation, or a forked tree)."""
    import threading

    from node.hub.log import store
    from node.hub.log.models import LogLeaf

    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ingest(issuer: str) -> None:
        with app.app_context():
            try:
                for batch in range(10):
                    rows = _store_statements(hub_id, 5, batch * 5 + 1, issuer)
                    barrier.wait(timeout=30)  # both transactions are open, then both append
                    store.append(hub_id, rows)
                    db.session.commit()
            except BaseException as exc:  # reported by the main thread
                errors.append(exc)
                barrier.abort()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=ingest, args=(f"http://{n}.test",)) for n in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    db.session.expire_all()
    leaves = db.session.execute(
        select(LogLeaf.leaf_index, LogLeaf.hash)
        .where(LogLeaf.group_id == hub_id)
        .order_by(LogLeaf.leaf_index)
    ).all()
    assert [index for index, _ in leaves] == list(range(100))
    assert store.head(hub_id).root == merkle.root([h for _, h in leaves])
