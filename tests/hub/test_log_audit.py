"""``commonground hub audit`` checks the log too: a sound log passes; a leaf hash, a subtree,
the head, a kept checkpoint or a logged statement changed in the database is reported with a
non-zero exit."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from node import clock
from node.extensions import db
from tests.hub.conftest import HUB, deliver, endorse


@pytest.fixture
def logged(app: Any, wsgi: Any, hub: Any, enrolled: dict[str, Any]) -> Any:
    from datetime import timedelta

    for n, slug in enumerate(["walton", "crosby", "shepperton", "walton", "crosby"]):
        endorse(enrolled[slug], name=f"Candidate {n}")
        deliver()
        app.test_client().get("/hub/log/checkpoint", base_url=HUB)  # a checkpoint per size
        clock.advance(timedelta(seconds=5))
    return hub


def _audit(runner: Any) -> Any:
    return runner.invoke(args=["hub", "audit"])


def test_a_sound_log_passes(logged: Any, runner: Any) -> None:
    result = _audit(runner)
    assert result.exit_code == 0, result.output
    assert "5 log entries checked, 0 problem(s)." in result.output


@pytest.mark.parametrize(
    ("what", "expected"),
    [
        ("leaf", "log: leaf 3 is not the hash of its statement"),
        ("subtree", "log: subtree (1, 1) is not the hash of its children"),
        ("head", "log: the head says 5 leaves"),
        ("checkpoint", "log: checkpoint of size 4 differs from its columns"),
        ("checkpoint-note", "log: checkpoint of size 2 does not verify"),
        ("statement", "log: leaf 1 is not the hash of its statement"),
    ],
)
def test_a_change_in_the_database_is_reported(
    logged: Any, runner: Any, what: str, expected: str
) -> None:
    from node.hub.log.models import LogCheckpoint, LogHead, LogLeaf, LogNode
    from node.peering.models import Statement

    hub_id = logged.id
    other = b"\x07" * 32
    if what == "leaf":
        db.session.execute(
            update(LogLeaf)
            .where(LogLeaf.group_id == hub_id, LogLeaf.leaf_index == 3)
            .values(hash=other)
        )
    elif what == "subtree":
        db.session.execute(
            update(LogNode)
            .where(LogNode.group_id == hub_id, LogNode.level == 1, LogNode.node_index == 1)
            .values(hash=other)
        )
    elif what == "head":
        db.session.execute(update(LogHead).where(LogHead.group_id == hub_id).values(frontier=other))
    elif what == "checkpoint":
        db.session.execute(
            update(LogCheckpoint)
            .where(LogCheckpoint.group_id == hub_id, LogCheckpoint.size == 4)
            .values(root=other)
        )
    elif what == "checkpoint-note":
        db.session.execute(
            update(LogCheckpoint)
            .where(LogCheckpoint.group_id == hub_id, LogCheckpoint.size == 2)
            .values(
                note="hub.test/log\n2\nBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcHBwc=\n\n— x AAAAAA==\n"
            )
        )
    else:
        leaf = db.session.get_one(LogLeaf, (hub_id, 1))
        row = db.session.get_one(Statement, leaf.statement_pk)
        row.compact = row.compact[:-2] + ("AA" if row.compact[-2:] != "AA" else "BB")
    db.session.commit()
    result = _audit(runner)
    assert result.exit_code == 1
    assert expected in result.output, result.output
