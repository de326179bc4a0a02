"""The vote gate (node.ballots.vote_gate): on SQLite a vote's writes and commit happen while an
exclusive flock next to the database file is held, so voters queue in the kernel; on PostgreSQL,
or when the lock file cannot be opened, votes go through without it."""

from __future__ import annotations

import fcntl
from pathlib import Path

import pytest
from sqlalchemy import func, select

from node.extensions import db
from tests.ballots.helpers import make_ballot, ranked_form


def _held_by_someone(path: Path) -> bool:
    """Whether another open file description holds the lock (a second open is a new one)."""
    if path.is_dir():
        return False  # nothing can hold a folder's lock here: the gate could not open it
    with path.open("ab") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(other, fcntl.LOCK_UN)
        return False


def _vote_watching(app, group, officer, make_member, monkeypatch):  # type: ignore[no-untyped-def]
    """Cast one vote through submit_vote; whether the gate was held while the rows were added
    (None when there is no gate file)."""
    from node.ballots import vote_batch, vote_gate, voting

    member = make_member(group)
    ballot = make_ballot(group, officer, open_it=True)
    real_write = vote_batch._write_checked
    seen: list[bool | None] = []

    def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
        path = vote_gate.lock_path()
        seen.append(_held_by_someone(path) if path is not None else None)
        return real_write(*args, **kwargs)

    monkeypatch.setattr(vote_batch, "_write_checked", watched)
    with app.test_request_context():
        form = {**voting.offer_receipt(ballot, member).fields, **ranked_form(ballot, "Ann")}
        cast = voting.submit_vote(ballot, member, form, [])
    return cast, seen


def _stored() -> int:
    from node.ballots.models import CastBallot

    db.session.rollback()  # a new look, after submit_vote's own commit
    return int(db.session.scalar(select(func.count()).select_from(CastBallot)) or 0)


def test_a_vote_is_stored_and_committed_holding_the_gate(
    app, group, officer, make_member, monkeypatch
):
    from node.ballots import vote_gate

    if db.engine.dialect.name != "sqlite":
        assert vote_gate.lock_path() is None  # PostgreSQL locks rows: no gate
        return
    cast, seen = _vote_watching(app, group, officer, make_member, monkeypatch)
    path = vote_gate.lock_path()
    assert path is not None and path.parent == Path(db.engine.url.database).parent
    assert seen == [True]  # held while the vote was written
    assert not _held_by_someone(path)  # and let go once it was committed
    assert not cast.repeated and _stored() == 1


@pytest.mark.backend("sqlite")  # only SQLite has a gate file
def test_a_gate_that_cannot_be_opened_does_not_stop_the_vote(
    app, group, officer, make_member, monkeypatch
):
    from node.ballots import vote_gate

    blocked = Path(db.engine.url.database + vote_gate.SUFFIX)
    blocked.unlink(missing_ok=True)
    blocked.mkdir()  # a folder where the lock file should be: opening it fails
    try:
        cast, seen = _vote_watching(app, group, officer, make_member, monkeypatch)
    finally:
        blocked.rmdir()
    assert seen == [False]
    assert not cast.repeated and _stored() == 1
