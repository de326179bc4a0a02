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
import os
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Engine

from node.extensions import db

SUFFIX = ".votes.lock"


def sqlite_file(engine: Engine | None = None) -> str | None:
    """The SQLite file of ``engine``'s database (the app's by default); None for PostgreSQL or
    an in-memory database, which have neither a gate file nor a log to flush."""
    url = (engine or db.engine).url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return url.database


def lock_path(engine: Engine | None = None) -> Path | None:
    """The gate's file for ``engine``'s database (the app's by default): next to a SQLite
    file, else none."""
    database = sqlite_file(engine)
    return None if database is None else Path(database + SUFFIX)


class Gate:
    """The gate of one process: its lock file, opened once and locked and unlocked for each
    batch. (Opening and closing it for each batch cost two more system calls in the line, and
    on a busy server each one is a wait for the interpreter lock: docs/performance.md.)

    A file that cannot be opened (a full disk, a read-only folder, a folder in its place) is
    tried again at the next batch; meanwhile votes go through without the gate. Only the
    leader of the process's line (holding its writer lock) uses it.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.fd: int | None = None

    def _opened(self) -> int | None:
        if self.fd is None and self.path is not None:
            with contextlib.suppress(OSError):
                flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC
                self.fd = os.open(self.path, flags, 0o600)
        return self.fd

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Hold the gate while votes are stored and committed (a no-op unless on a SQLite
        file); let go as soon as the block ends, however it ends."""
        fd = self._opened()
        locked = False
        if fd is not None:
            with contextlib.suppress(OSError):  # a filesystem without locks: SQLite's still holds
                fcntl.flock(fd, fcntl.LOCK_EX)
                locked = True
        try:
            yield
        finally:
            if locked and fd is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                except OSError:  # never keep the gate: closing the file lets it go
                    self.fd = None
                    os.close(fd)
