"""Leases: any number of ``commonground worker`` processes, on any number of machines, share the
periodic work, and each item is done by exactly one of them at a time.

Every worker lists the same due items; before doing one, :func:`claim` takes a lease on its
``(task, key)`` (a :class:`~node.scheduler.models.TaskLease` row, committed at once so the other
workers see it) and :func:`release` deletes the row in the transaction that finishes the item, so
the item's result and the end of the lease become visible together. A worker that finds the item
leased to another moves on to the next one instead of waiting for it.

A worker that dies mid-item leaves its row behind (its own work was rolled back with its
connection); once ``lease_until`` has passed, the next worker to reach the item takes the lease
over. On PostgreSQL that takeover reads the row ``FOR UPDATE SKIP LOCKED``, so of two workers
reaching a dead lease together one takes it and the other moves on without waiting; on SQLite
(one writer at a time, one machine) the same conditional update is the whole claim.

A lease does not replace the items' own checks: an item listed as due by one worker may have
been finished by another just before it is claimed, so each task's work re-reads its state under
the claim (a ballot that is already open raises Conflict, a reminder or a newsletter copy is
claimed by a conditional update of its row) and does nothing the second time.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from node import clock
from node.extensions import db
from node.scheduler.models import TaskLease

log = logging.getLogger(__name__)

# Longer than any one item takes (a ballot opening mails its whole electorate in one item): a
# lease that ran out while its worker still worked would let a second worker start the item. It
# is also how long a dead worker's items wait before another worker takes them over.
LEASE = timedelta(minutes=15)

_identity: dict[int, str] = {}


def worker_id() -> str:
    """This process, as its leases name it: host, process id and a random part (a process id is
    reused after a restart; a process forked from this one gets its own)."""
    pid = os.getpid()
    if pid not in _identity:
        _identity[pid] = f"{socket.gethostname()[:80]}:{pid}:{secrets.token_hex(4)}"
    return _identity[pid]


def claim(task: str, key: str) -> bool:
    """Take the lease of ``(task, key)`` for this worker and commit; False if another worker
    holds it now (the caller skips the item: it is being done)."""
    me, now = worker_id(), clock.utcnow_naive()
    values = {"task": task, "key": key, "claimed_by": me, "lease_until": now + LEASE}
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    added = db.session.scalar(
        insert(TaskLease)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["task", "key"])
        .returning(TaskLease.id)
    )
    if added is not None:
        db.session.commit()
        return True
    free = or_(TaskLease.lease_until <= now, TaskLease.claimed_by == me)
    row = db.session.execute(
        select(TaskLease.id, TaskLease.claimed_by)
        .where(TaskLease.task == task, TaskLease.key == key, free)
        .with_for_update(skip_locked=True)
    ).first()
    taken = row is not None and (
        db.session.scalar(
            update(TaskLease)
            .where(TaskLease.id == row.id, free)
            .values(claimed_by=me, lease_until=values["lease_until"])
            .returning(TaskLease.id)
            .execution_options(synchronize_session=False)
        )
        is not None
    )
    db.session.commit()
    if taken and row is not None and row.claimed_by != me:
        log.warning(
            "periodic task %s: took over %s from %s (lease ran out)", task, key, row.claimed_by
        )
    return taken


def release(task: str, key: str) -> None:
    """End this worker's lease of ``(task, key)`` in the current transaction (not committed)."""
    db.session.execute(
        delete(TaskLease).where(
            TaskLease.task == task, TaskLease.key == key, TaskLease.claimed_by == worker_id()
        )
    )
