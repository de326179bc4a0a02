"""Votes stored together: the votes that arrive while one is being written go in the next single
transaction (a group commit), on SQLite and PostgreSQL alike.

SQLite has one writer at a time. With one transaction per vote, under ballot-day load the
write lock (the gate of :mod:`node.ballots.vote_gate`) was busy most of the time and votes
waited in line for it; one transaction for every waiting vote empties that line at each turn
(docs/performance.md, "Votes written in batches").

How the turn passes, in each process: a voter's thread puts its vote on the waiting list and
takes the process's writer lock; whoever holds it (the *leader*) writes everything waiting,
its own vote and others', then lets go. A thread whose vote a leader has already written finds
it done when it gets the lock and leaves at once. No thread is started: the leaders are request
threads, so nothing has to survive gunicorn's fork. Processes still take turns through the
gate, each with a batch.

Inside the transaction every vote is checked again, as it is written, so the batch answers each
voter for their own vote only: the ballot must be open, the member must not have voted (nor
appear twice in the batch), and a voting link or code is claimed only if it is still unused and
not replaced. A refused vote is left out and its voter told why; the others are stored. On
SQLite the transaction begins ``IMMEDIATE`` (the write lock first), so those checks see
everything committed. On PostgreSQL another process's batch may insert the same member's
participation meanwhile: the unique key refuses the batch, and its votes are then written one
by one, so only the duplicate is refused. Storage trouble (a full disk, a restarting database)
fails every vote of the batch, with nothing stored; each voter's thread raises it.

On a SQLite file the disk wait is taken out of the line too. Each process writes with a
connection of its own set to ``synchronous=NORMAL`` (in WAL mode that never corrupts the file;
it only leaves the last commits to the next flush), and the leader flushes the write-ahead log
itself (``fdatasync``, what SQLite does at each commit with FULL) after letting go of the gate
and before any voter of the batch hears that their vote is stored. So every acknowledged vote
is on disk, as before, while the other process writes its batch. The pool's connections keep
FULL for everything else.

Secrecy is as before: participations and papers are separate rows with nothing linking them,
and the papers of a batch are inserted in a random order.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import os
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection, Engine, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from node import clock
from node.ballots.models import Ballot, CastBallot, Participation, VotingCredential
from node.ballots.vote_gate import Gate, lock_path, sqlite_file

log = logging.getLogger(__name__)

MOST_AT_ONCE = 200  # votes in one transaction: a burst beyond this takes several turns

# Why a vote was left out of its batch (the voter's thread words it, in the voter's language).
CLOSED = "closed"
VOTED = "voted"
CREDENTIAL_USED = "credential-used"


@dataclass(eq=False)
class PendingVote:
    """One vote to store, all checks that only read already made by the voter's request."""

    group_id: int
    ballot_id: int
    member_id: int
    method: str
    ranking: list[int]
    receipt_hash: str
    voted_at: datetime
    credential_id: int | None = None
    paper_id: str = field(default_factory=lambda: uuid.uuid4().hex)  # random: says nothing
    # the outcome, set by whichever thread wrote the batch, before ``done`` is set
    refusal: str | None = None
    error: BaseException | None = None
    taken: bool = False  # in a batch being written (set under the line's guard)
    done: threading.Event = field(default_factory=threading.Event)


class _Line:
    """The votes of one process waiting for one database, the lock its leaders take, and on a
    SQLite file the connection they write with."""

    def __init__(self, engine: Engine) -> None:
        self.writer, self.guard = threading.Lock(), threading.Lock()
        self.waiting: list[PendingVote] = []
        self.batches = 0  # transactions begun, for tests and curiosity
        database = sqlite_file(engine)
        self.wal = None if database is None else f"{database}-wal"
        self.gate = Gate(lock_path(engine))
        self._conn: Connection | None = None
        self._log: int | None = None  # the write-ahead log, open for flushing
        self.pid = os.getpid()

    def take(self) -> list[PendingVote]:
        with self.guard:
            batch, self.waiting = self.waiting[:MOST_AT_ONCE], self.waiting[MOST_AT_ONCE:]
            for vote in batch:
                vote.taken = True
            self.batches += 1
            return batch

    def connection(self, engine: Engine) -> Connection:
        """The connection to write a batch with (the writer lock held). On a SQLite file it is
        this process's own, kept open with ``synchronous=NORMAL``: the leader flushes the log
        itself (:class:`_Written`), and the pool's connections keep FULL for everything else."""
        if self.wal is None:
            return engine.connect()
        if self._conn is None or self._conn.closed or self._conn.invalidated:
            self._close_log()  # the log to flush is the new connection's
            conn = engine.connect()
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
            conn.commit()
            self._conn = conn
        return self._conn

    def done_with(self, conn: Connection, broken: bool) -> None:
        """A pool's connection goes back; this process's own stays, unless it broke: then it is
        discarded, never returned to the pool without FULL."""
        if conn is not self._conn:
            conn.close()
        elif broken:
            self._conn = None
            self._close_log()
            with contextlib.suppress(Exception):
                conn.invalidate()
            with contextlib.suppress(Exception):
                conn.close()

    def log(self) -> int | None:
        """The write-ahead log, opened once for the leaders to flush (``fdatasync``, as FULL
        does) once out of the gate. The line's open connection keeps SQLite from deleting it;
        it is opened again with the next connection if that one broke. None on PostgreSQL, or
        when it cannot be opened (then the leader flushes everything, the slow way)."""
        if self.wal is not None and self._log is None:
            with contextlib.suppress(OSError):
                self._log = os.open(self.wal, os.O_RDONLY | os.O_CLOEXEC)
        return self._log

    def _close_log(self) -> None:
        log, self._log = self._log, None
        if log is not None:
            with contextlib.suppress(OSError):
                os.close(log)


_lines_guard = threading.Lock()
_inherited: list[_Line] = []  # lines of a parent process: never used, never closed, kept


def line_for(engine: Engine) -> _Line:
    """This process's line for ``engine``, kept on the engine (it lives as long). A line made
    before a fork is left alone, its connection the parent's (gunicorn's master never votes)."""
    with _lines_guard:
        line: _Line | None = getattr(engine, "_commonground_votes", None)
        if line is not None and line.pid != os.getpid():
            _inherited.append(line)
            line = None
        if line is None:
            line = _Line(engine)
            setattr(engine, "_commonground_votes", line)  # noqa: B010 - not Engine's own
        return line


@dataclass
class _Written:
    """A batch whose transaction has ended, and the log to flush before its voters hear."""

    batch: list[PendingVote]
    wal: int | None = None

    def finish(self) -> None:
        """Flush, then answer every voter of the batch, whatever happens (a voter left waiting
        would wait for ever)."""
        try:
            if self.wal is not None:
                os.fdatasync(self.wal)
        except OSError as exc:
            _failed(self.batch, exc)
        finally:
            for vote in self.batch:
                vote.done.set()


def store(engine: Engine, vote: PendingVote) -> None:
    """Store ``vote`` (with whatever else is waiting) and return once its outcome is set: its
    ``refusal`` or ``error`` when it was not stored. Raises nothing itself.

    The leader flushes the batches it wrote after letting go of the writer lock and the gate,
    so the next batch is written while this one's flush is under way.
    """
    line = line_for(engine)
    with line.guard:
        line.waiting.append(vote)
    written: list[_Written] = []
    try:
        with line.writer:
            while not vote.taken:
                written.append(_write_next(engine, line))
    finally:
        for each in written:
            each.finish()
    vote.done.wait()


def _write_next(engine: Engine, line: _Line) -> _Written:
    """Take the waiting votes once the gate is held (those that arrived while the other
    process wrote join this batch) and write them in one transaction."""
    batch: list[PendingVote] | None = None
    wal: int | None = None
    try:
        conn = line.connection(engine)
        broken = True
        try:
            with line.gate.held():
                batch = line.take()
                committed = write(conn, batch)
            if committed and line.wal is not None:
                wal = line.log()
                if wal is None:
                    os.sync()
            broken = False
        finally:
            line.done_with(conn, broken)
    except Exception as exc:  # noqa: BLE001 - no connection, or it broke: the voters hear
        if batch is None:
            batch = line.take()
        _failed(batch, exc)
    return _Written(batch, wal)


def raise_error(vote: PendingVote) -> None:
    """Raise the storage error that stopped ``vote``'s batch, a copy per voter's thread (the
    same exception object raised in several threads would share one traceback)."""
    if vote.error is None:
        return
    try:
        error = copy.copy(vote.error)
    except Exception:  # noqa: BLE001 - an exception that cannot be copied is raised as it is
        error = vote.error
    raise error


def write(conn: Connection, batch: Sequence[PendingVote]) -> bool:
    """Write ``batch`` in one transaction on ``conn`` and set each refused vote's ``refusal``,
    or every vote's ``error``; never raises. Whether anything was committed."""
    try:
        _begin(conn)
        stored = _write_checked(conn, batch)
        conn.commit()
    except IntegrityError:
        conn.rollback()
        if len(batch) == 1:  # a duplicate committed by another process since the check
            batch[0].refusal = VOTED
            return False
        committed = [write(conn, [vote]) for vote in batch]  # each, not up to the first
        return any(committed)
    except Exception as exc:  # noqa: BLE001 - every voter of the batch hears of it
        with contextlib.suppress(Exception):
            conn.rollback()
        _failed(batch, exc)
        return False
    return bool(stored)


def _failed(batch: Sequence[PendingVote], exc: BaseException) -> None:
    """Every vote of ``batch`` failed with ``exc``; the log gets the cause (the driver's first
    line: never the SQL, whose values are the votes)."""
    log.warning(
        "%d vote(s) not stored: %s: %s",
        len(batch),
        type(exc).__name__,
        (str(getattr(exc, "orig", None) or exc).splitlines() or [""])[0][:200],
    )
    for vote in batch:
        vote.error = exc


def _begin(conn: Connection) -> None:
    """Begin the transaction; on SQLite with the write lock taken first, so the checks in it
    read what is committed and nothing can change it before the commit."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


# The statements, built once: under the write lock only their values change.
_OPEN = select(Ballot.id).where(
    Ballot.id.in_(bindparam("ballots", expanding=True)), Ballot.taking_votes(bindparam("now"))
)
_VOTED = select(Participation.ballot_id, Participation.member_id).where(
    Participation.ballot_id.in_(bindparam("ballots", expanding=True)),
    Participation.member_id.in_(bindparam("members", expanding=True)),
)
_CLAIM = (
    update(VotingCredential)
    .where(
        VotingCredential.id.in_(bindparam("credentials", expanding=True)),
        VotingCredential.used_at.is_(None),
        VotingCredential.revoked_at.is_(None),
    )
    .values(used_at=bindparam("now"))
    .returning(VotingCredential.id)
)
_PARTICIPATION = insert(Participation)
_PAPER = insert(CastBallot)
_shuffle = random.SystemRandom().shuffle


def _write_checked(conn: Connection, batch: Sequence[PendingVote]) -> list[PendingVote]:
    """Check each vote of ``batch`` against the database and write those that pass; the others
    get their ``refusal``. Returns the votes written."""
    for vote in batch:
        vote.refusal = None
    now = clock.utcnow_naive()
    votes = _open_only(conn, list(batch), now)
    votes = _first_only(conn, votes)
    votes = _claimed_only(conn, votes, now)
    if not votes:
        return []
    conn.execute(
        _PARTICIPATION,
        [
            {
                "group_id": v.group_id,
                "ballot_id": v.ballot_id,
                "member_id": v.member_id,
                "method": v.method,
                "voted_at": v.voted_at,
            }
            for v in votes
        ],
    )
    papers = [
        {
            "id": v.paper_id,
            "group_id": v.group_id,
            "ballot_id": v.ballot_id,
            "ranking": v.ranking,
            "receipt_hash": v.receipt_hash,
        }
        for v in votes
    ]
    _shuffle(papers)
    conn.execute(_PAPER, papers)
    return votes


def _open_only(conn: Connection, votes: list[PendingVote], now: datetime) -> list[PendingVote]:
    """Votes in ballots taking votes now (one may have closed since the voter's page looked)."""
    ballots = sorted({v.ballot_id for v in votes})
    open_ids = set(conn.execute(_OPEN, {"ballots": ballots, "now": now}).scalars())
    return _keep(votes, lambda v: v.ballot_id in open_ids, CLOSED)


def _first_only(conn: Connection, votes: list[PendingVote]) -> list[PendingVote]:
    """Votes of members who have not voted in that ballot, the first of any twins in the batch."""
    if not votes:
        return votes
    params = {
        "ballots": sorted({v.ballot_id for v in votes}),
        "members": sorted({v.member_id for v in votes}),
    }
    voted = {(ballot_id, member_id) for ballot_id, member_id in conn.execute(_VOTED, params)}

    def first(vote: PendingVote) -> bool:
        key = (vote.ballot_id, vote.member_id)
        if key in voted:
            return False
        voted.add(key)
        return True

    return _keep(votes, first, VOTED)


def _claimed_only(conn: Connection, votes: list[PendingVote], now: datetime) -> list[PendingVote]:
    """Claim the voting links and codes of ``votes`` that are still unused and not replaced."""
    wanted = sorted({v.credential_id for v in votes if v.credential_id is not None})
    if not wanted:
        return votes
    claimed = set(conn.execute(_CLAIM, {"credentials": wanted, "now": now}).scalars())
    return _keep(
        votes, lambda v: v.credential_id is None or v.credential_id in claimed, CREDENTIAL_USED
    )


def _keep(
    votes: list[PendingVote], passes: Callable[[PendingVote], bool], refusal: str
) -> list[PendingVote]:
    """The votes that pass; the others get ``refusal``."""
    kept = []
    for vote in votes:
        if passes(vote):
            kept.append(vote)
        else:
            vote.refusal = refusal
    return kept
