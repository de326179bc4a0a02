"""Upgrading a hub that stored statements before its log existed (migration ``hub_0005``): they
are appended once, in the order they were stored, and the tree is the one an append of each
would have built; the hub's own statements are not logged; the next accepted statement
continues the same tree. Run on each backend with a database of its own (the shared test
database is never migrated down)."""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from federation.tlog import merkle
from tests.support.db import TestDatabase

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("COMMONGROUND_TEST_PG") else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_statements_stored_before_the_log_are_appended_on_upgrade(
    tmp_path: Path, backend: str
) -> None:
    from flask_migrate import downgrade, upgrade

    from node import create_app
    from node.extensions import db
    from node.groups.operations import create_group
    from node.hub.log import store
    from node.hub.log.models import LogLeaf
    from node.peering.ingest import STATEMENTS

    pg = os.environ.get("COMMONGROUND_TEST_PG") if backend == "postgresql" else None
    database = TestDatabase.create(pg, tmp_path, f"backfill_{uuid.uuid4().hex[:8]}")
    try:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database.url, "INSTANCE_PATH": str(database.instance)}
        )
        with app.app_context():
            directory = app.extensions["migrate"].directory
            upgrade(directory=directory, revision="heads")
            downgrade(directory=directory, revision="hub_0004")  # as before hub_0005
            hub = create_group("Hub", slug="hub", url="http://hub.test", role="hub")
            when = datetime(2026, 1, 1)
            rows = [
                {
                    "group_id": hub.id,
                    "issuer": issuer,
                    "seq": seq,
                    "statement_id": f"00000000-0000-4000-8000-{n:012d}",
                    "type": "candidate-endorsement",
                    "prev": None,
                    "hash": f"h{n}",
                    "kid": "k",
                    "payload": {},
                    "compact": f"eyJ{n}.{issuer[7:8]}{seq}.sig",
                    "issued_at": when,
                    "received_at": when,
                    "verification": "verified",
                }
                for n, (issuer, seq) in enumerate(
                    [("http://a.test", 1), ("http://hub.test", 1), ("http://b.test", 1)]
                    + [("http://a.test", s) for s in range(2, 12)]
                )
            ]
            db.session.execute(STATEMENTS.insert(), rows)
            db.session.commit()
            upgrade(directory=directory, revision="heads")
            db.session.expire_all()
            logged = [r for r in rows if r["issuer"] != "http://hub.test"]
            reference = merkle.MemoryTree()
            for row in logged:
                reference.append(row["compact"].encode())
            assert store.head(hub.id) == store.Head(12, reference.root())
            assert [c for _, c in store.entries(hub.id, 0, 100)] == [r["compact"] for r in logged]
            assert store.root_at(hub.id, 7) == reference.root(7)
            # The next append continues the same tree.
            more = {**rows[-1], "seq": 12, "compact": "eyJnext.a12.sig", "statement_id": "x"}
            db.session.execute(STATEMENTS.insert(), [more])

            class Next:
                compact, issuer, seq = more["compact"], more["issuer"], 12

            assert store.append(hub.id, [Next()]) == [12]  # type: ignore[list-item]
            db.session.commit()
            reference.append(b"eyJnext.a12.sig")
            assert store.head(hub.id).root == reference.root()
            count = db.session.scalar(select(text("count(*)")).select_from(LogLeaf))
            assert count == 13
            db.session.remove()
            db.engine.dispose()
    finally:
        database.drop()
