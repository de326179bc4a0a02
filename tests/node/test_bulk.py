"""node.bulk writes rows exactly as the ORM would: the same values read back through the model,
on SQLite (driver-level executemany) and PostgreSQL (COPY), JSON given as text or as objects."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from node.bulk import JSONText, insert_rows
from node.extensions import db
from node.peering.models import Statement

WHEN = datetime(2025, 1, 2, 3, 4, 5, 678)


def row(group_id: int, seq: int, payload: object, prev: str | None = None) -> dict[str, object]:
    return {
        "group_id": group_id,
        "issuer": "https://walton.example.org",
        "seq": seq,
        "statement_id": f"00000000-0000-4000-8000-{seq:012d}",
        "type": "retraction",
        "prev": prev,
        "hash": f"h{seq}",
        "kid": "k",
        "payload": payload,
        "compact": f"c{seq}",
        "issued_at": WHEN,
        "received_at": WHEN,
        "verification": "verified",
    }


def test_rows_read_back_as_the_orm_writes_them(app, group) -> None:  # type: ignore[no-untyped-def]
    payload = {"body": {"reason": "naïve “quotes”", "n": [1, None, True]}, "seq": 2}
    db.session.add(Statement(**row(group.id, 1, payload)))  # the ORM's own write
    db.session.flush()
    insert_rows(
        Statement.__table__,
        [
            row(
                group.id,
                2,
                JSONText('{"body":{"reason":"naïve “quotes”","n":[1,null,true]},"seq":2}'),
            ),
            row(group.id, 3, payload, prev="h2"),
        ],
    )
    db.session.commit()
    db.session.expire_all()
    stored = db.session.scalars(select(Statement).order_by(Statement.seq)).all()
    assert [s.seq for s in stored] == [1, 2, 3]
    for s in stored:
        assert s.payload == payload
        assert s.issued_at == WHEN and s.received_at == WHEN
    assert [s.prev for s in stored] == [None, None, "h2"]


def test_a_duplicate_row_is_sqlalchemys_integrity_error(app, group) -> None:  # type: ignore[no-untyped-def]
    insert_rows(Statement.__table__, [row(group.id, 1, {"a": 1})])
    with pytest.raises(IntegrityError):
        insert_rows(Statement.__table__, [row(group.id, 1, {"a": 2})])
    db.session.rollback()
