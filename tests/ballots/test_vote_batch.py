"""Votes stored in batches (node.ballots.vote_batch): each vote of a batch is checked for itself
as it is written, votes that arrive during a write go in the next transaction together, storage
trouble stores nothing of the batch, and on SQLite the write-ahead log is on disk before any
voter of the batch is answered."""

from __future__ import annotations

import os
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot

WAIT = 30  # seconds: a safety net for a broken test, never what it relies on


def _counts() -> tuple[int, int]:
    from node.ballots.models import CastBallot, Participation

    db.session.rollback()  # a fresh look: the batch wrote on a connection of its own
    return (
        int(db.session.scalar(select(func.count()).select_from(Participation)) or 0),
        int(db.session.scalar(select(func.count()).select_from(CastBallot)) or 0),
    )


def _vote(ballot, member, credential_id=None, position=0):  # type: ignore[no-untyped-def]
    from node.ballots import vote_batch, voting

    return vote_batch.PendingVote(
        group_id=ballot.group_id,
        ballot_id=ballot.id,
        member_id=member.id,
        method="link" if credential_id else "signed_in",
        ranking=[position],
        receipt_hash=voting.receipt_hash(voting.new_code()),
        voted_at=clock.utcnow_naive(),
        credential_id=credential_id,
    )


def _store_together(votes):  # type: ignore[no-untyped-def]
    """Store ``votes`` as one batch: all but the last wait in the line, the last one leads."""
    from node.ballots import vote_batch

    line = vote_batch.line_for(db.engine)
    before = line.batches
    line.waiting.extend(votes[:-1])
    vote_batch.store(db.engine, votes[-1])
    assert all(v.done.is_set() for v in votes)
    return line.batches - before


def test_a_batch_stores_the_good_votes_and_refuses_each_bad_one_for_itself(
    app, group, officer, make_member
):
    from node.ballots import vote_batch, voting_links
    from node.ballots.models import VotingCredential

    ballot = make_ballot(group, officer, open_it=True)
    closed = make_ballot(group, officer, open_it=True, title="Closed")
    people = [make_member(group, account=False) for _ in range(5)]
    voting_links._issue(ballot, people[3:], "link")
    closed.closes_at = clock.utcnow_naive() - timedelta(seconds=1)
    db.session.commit()
    credentials = {
        c.member_id: c.id
        for c in db.session.scalars(
            select(VotingCredential).where(VotingCredential.ballot_id == ballot.id)
        )
    }
    db.session.execute(  # the fifth member's link was used already
        update(VotingCredential)
        .where(VotingCredential.id == credentials[people[4].id])
        .values(used_at=clock.utcnow_naive())
    )
    db.session.commit()
    earlier = _vote(ballot, people[1])
    assert _store_together([earlier]) == 1 and earlier.refusal is None

    good = _vote(ballot, people[0])
    again = _vote(ballot, people[1])  # voted in an earlier batch
    first, twin = _vote(ballot, people[2]), _vote(ballot, people[2])  # twice in this batch
    late = _vote(closed, people[0])
    linked = _vote(ballot, people[3], credentials[people[3].id])
    used = _vote(ballot, people[4], credentials[people[4].id])
    assert _store_together([good, again, first, twin, late, linked, used]) == 1

    outcomes = [v.refusal for v in (good, again, first, twin, late, linked, used)]
    assert outcomes == [
        None,
        vote_batch.VOTED,
        None,
        vote_batch.VOTED,
        vote_batch.CLOSED,
        None,
        vote_batch.CREDENTIAL_USED,
    ]
    assert _counts() == (4, 4)  # the earlier vote and the three good ones of this batch
    claimed = db.session.get(VotingCredential, credentials[people[3].id])
    assert claimed is not None and claimed.used_at is not None


def test_votes_arriving_while_one_is_written_go_in_the_next_batch_together(
    app, group, officer, make_member, monkeypatch
):
    from node.ballots import vote_batch

    ballot = make_ballot(group, officer, open_it=True)
    votes = [_vote(ballot, make_member(group, account=False)) for _ in range(4)]
    engine = db.engine
    line = vote_batch.line_for(engine)
    real_write = vote_batch.write
    arrived = threading.Condition()
    writing = threading.Event()
    sizes: list[int] = []

    class Watched(list):  # type: ignore[type-arg]
        def append(self, vote):  # type: ignore[no-untyped-def]
            super().append(vote)
            with arrived:
                arrived.notify_all()

    def write(conn, batch):  # type: ignore[no-untyped-def]
        sizes.append(len(batch))
        if len(sizes) == 1:  # the first write waits until the three others are in the line
            with arrived:
                line.waiting = Watched()
                writing.set()
                assert arrived.wait_for(lambda: len(line.waiting) == 3, timeout=WAIT)
        return real_write(conn, batch)

    monkeypatch.setattr(vote_batch, "write", write)
    leader = threading.Thread(target=vote_batch.store, args=(engine, votes[0]))
    leader.start()
    assert writing.wait(WAIT)
    others = [threading.Thread(target=vote_batch.store, args=(engine, v)) for v in votes[1:]]
    for thread in others:
        thread.start()
    for thread in [leader, *others]:
        thread.join(WAIT)
    assert sizes == [1, 3]
    assert all(v.done.is_set() and v.refusal is None and v.error is None for v in votes)
    assert _counts() == (4, 4)


def test_storage_trouble_stores_nothing_of_the_batch_and_each_voter_hears_it(
    app, group, officer, make_member, monkeypatch
):
    from node.ballots import vote_batch

    ballot = make_ballot(group, officer, open_it=True)
    votes = [_vote(ballot, make_member(group, account=False)) for _ in range(3)]
    real = vote_batch._write_checked

    def full_disk(conn, batch):  # type: ignore[no-untyped-def]
        real(conn, batch)  # written, then the commit's disk is full
        raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    monkeypatch.setattr(vote_batch, "_write_checked", full_disk)
    assert _store_together(votes) == 1
    assert _counts() == (0, 0)
    for vote in votes:
        with pytest.raises(OperationalError, match="disk is full"):
            vote_batch.raise_error(vote)


def test_a_duplicate_the_checks_missed_refuses_only_that_vote(
    app, group, officer, make_member, monkeypatch
):
    """On PostgreSQL another process may commit a member's vote between the batch's check and
    its insert; the unique key then fails the batch, which is written again vote by vote.
    Staged here by hiding an earlier participation from the check."""
    from node.ballots import vote_batch

    ballot = make_ballot(group, officer, open_it=True)
    people = [make_member(group, account=False) for _ in range(3)]
    earlier = _vote(ballot, people[1])
    _store_together([earlier])
    monkeypatch.setattr(vote_batch, "_first_only", lambda conn, votes: votes)
    votes = [_vote(ballot, p) for p in people]
    assert _store_together(votes) == 1
    assert [v.refusal for v in votes] == [None, vote_batch.VOTED, None]
    assert all(v.error is None for v in votes)
    assert _counts() == (3, 3)


@pytest.fixture
def voter(client, group, make_member):  # type: ignore[no-untyped-def]
    member = make_member(group, email="voter@walton.example.org")
    client.sign_in(member.email)
    return member


def _cast(client, ballot):  # type: ignore[no-untyped-def]
    from tests.ballots.test_receipts import paper_form, ranked_form

    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    form = paper_form(page, ranked_form(ballot, "Ann"))
    return form, client.post(f"/ballots/{ballot.id}/vote", data=form)


@pytest.mark.backend("sqlite")  # the deferred flush is SQLite's
def test_the_log_is_on_disk_before_the_receipt_is_sent(
    app, client, group, officer, voter, monkeypatch
):
    from node.ballots import vote_batch

    ballot = make_ballot(group, officer, open_it=True)
    real = os.fdatasync
    flushed: list[tuple[str, int]] = []

    def fdatasync(fd: int) -> None:
        flushed.append((os.readlink(f"/proc/self/fd/{fd}"), _counts()[1]))
        real(fd)

    monkeypatch.setattr(vote_batch.os, "fdatasync", fdatasync)
    _form, response = _cast(client, ballot)
    assert response.status_code == 201
    # once, on the log, with the vote committed: after the store, before the answer left
    assert flushed == [(str(Path(db.engine.url.database)) + "-wal", 1)]
    pool = db.engine.pool
    with db.engine.connect() as conn:  # the pool's connections all keep synchronous=FULL
        checked = [conn] + [db.engine.connect() for _ in range(pool.checkedin())]
        try:
            assert {c.exec_driver_sql("PRAGMA synchronous").scalar() for c in checked} == {2}
        finally:
            for extra in checked[1:]:
                extra.close()


@pytest.mark.backend("sqlite")
def test_a_disk_that_refuses_the_flush_answers_503_and_a_repeat_finds_the_vote(
    app, client, group, officer, voter, monkeypatch
):
    import errno

    from node.ballots import vote_batch

    ballot = make_ballot(group, officer, open_it=True)
    real = os.fdatasync

    def failing(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(vote_batch.os, "fdatasync", failing)
    form, response = _cast(client, ballot)
    assert response.status_code == 503 and "Retry-After" in response.headers
    assert "receipt-code" not in response.get_data(as_text=True)  # no receipt for it
    monkeypatch.setattr(vote_batch.os, "fdatasync", real)
    again = client.post(f"/ballots/{ballot.id}/vote", data=form)
    assert again.status_code == 200 and 'id="receipt-code"' in again.get_data(as_text=True)
    assert _counts() == (1, 1)


def test_a_line_made_before_a_fork_is_not_used_after_it(app, monkeypatch):
    """A child process gets a line of its own; the parent's (and its connection) is kept
    untouched rather than closed or returned to the child's pool."""
    from node.ballots import vote_batch

    parent = vote_batch.line_for(db.engine)
    assert vote_batch.line_for(db.engine) is parent
    monkeypatch.setattr(vote_batch.os, "getpid", lambda: parent.pid + 1)
    child = vote_batch.line_for(db.engine)
    assert child is not parent and parent in vote_batch._inherited
    assert vote_batch.line_for(db.engine) is child
