"""One batch of votes written at a time on SQLite, queued in the kernel rather than in SQLite's
back-off.

SQLite lets one connection write at a time; a connection that finds the write lock taken sleeps
and tries again, sleeping longer each time (1, 2, 5, 10 … 100 ms) and with no queue, so under a
burst of votes a few unlucky voters kept losing to newcomers: measured with bench/ballot_day.py
(1,000 voters, gunicorn's two workers of four threads), storing a vote took 43 ms at the median
and 946 ms at the 99th percentile, nearly all of it waiting. Taking an exclusive ``flock`` on a
file next to the database first makes every writer of votes (each process's batch of
:mod:`node.ballots.vote_batch`) wait in the kernel, which wakes the next one as soon as the
lock is free; docs/performance.md ("Ballot day") has the whole story.

PostgreSQL locks rows, not the database, so there the gate does nothing. A lock file that cannot
be opened (a full disk, a read-only folder) is skipped: SQLite's own lock still keeps votes
apart, and the vote then fails or succeeds exactly as it would without the gate.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from node.extensions import db

SUFFIX = ".votes.lock"


def lock_path(engine: Engine | None = None) -> Path | None:
    """The gate's file for ``engine``'s database (the app's by default): next to a SQLite
    file, else none."""
    url = (engine or db.engine).url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database + SUFFIX)


@contextlib.contextmanager
def one_vote_at_a_time(engine: Engine | None = None) -> Iterator[None]:
    """Hold the gate while votes are stored and committed (a no-op unless on a SQLite file)."""
    path = lock_path(engine)
    handle = None
    if path is not None:
        with contextlib.suppress(OSError):
            handle = path.open("ab")
    if handle is None:
        yield
        return
    with handle:
        # released when the file is closed, or when the process dies
        with contextlib.suppress(OSError):  # a filesystem without locks: SQLite's lock still holds
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
