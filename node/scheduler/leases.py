"""Leases: any number of ``commonground worker`` processes, on any number of machines, share the
periodic work, and each item is done by exactly one of them at a time.

Every worker lists the same due items; as its run reaches them, :class:`Claims` takes leases on
the next :data:`BATCH` of them (:class:`~node.scheduler.models.TaskLease` rows, one committed
transaction, so the other workers see them and claim the batches after), renews an item's lease
in the item's own transaction before the work, and :func:`release` deletes the row in the
transaction that finishes the item, so the item's result and the end of the lease become visible
together. A worker that finds an item leased to another moves on instead of waiting for it.

A worker that dies mid-item leaves its row behind (its own work was rolled back with its
connection); once ``lease_until`` has passed, the next worker to reach the item takes the lease
over, and a worker on the same machine takes it over at once when the holder's process is gone
(:func:`gone_here`: a crash, or systemd restarting the worker). On PostgreSQL that takeover reads the row ``FOR UPDATE SKIP LOCKED``, so of two workers
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


BATCH = 50  # items claimed in one transaction: one commit per 50 items, not one per item


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, as another user's process
        return True
    return True


def gone_here(holders: set[str]) -> set[str]:
    """Those of ``holders`` that ran on this machine in a process that has ended: a worker that
    crashed or was restarted (systemd restarts it at once) need not leave its batch waiting for
    the lease to run out. A holder on another machine is only ever taken over by time."""
    host = socket.gethostname()[:80]
    gone = set()
    for holder in holders:
        machine, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if machine == host and pid.isdigit() and int(pid) != os.getpid() and not _alive(int(pid)):
            gone.add(holder)
    return gone


def claim(task: str, key: str) -> bool:
    """Take the lease of ``(task, key)`` for this worker and commit; False if another worker
    holds it now (the caller skips the item: it is being done)."""
    return key in claim_many(task, [key])


def claim_many(task: str, keys: list[str]) -> set[str]:
    """Take the leases of those of ``keys`` no live worker holds, in one transaction, committed;
    returns the keys now leased to this worker."""
    me, now = worker_id(), clock.utcnow_naive()
    until = now + LEASE
    insert = pg_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [{"task": task, "key": k, "claimed_by": me, "lease_until": until} for k in keys]
    taken = set(
        db.session.scalars(
            insert(TaskLease)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["task", "key"])
            .returning(TaskLease.key)
        )
    )
    rest = [k for k in keys if k not in taken]
    holders = (
        set(
            db.session.scalars(
                select(TaskLease.claimed_by)
                .where(TaskLease.task == task, TaskLease.key.in_(rest))
                .distinct()
            )
        )
        if rest
        else set()
    )
    gone = gone_here(holders - {me})
    free = or_(
        TaskLease.lease_until <= now, TaskLease.claimed_by == me, TaskLease.claimed_by.in_(gone)
    )
    held = (
        db.session.execute(
            select(TaskLease.id, TaskLease.key, TaskLease.claimed_by)
            .where(TaskLease.task == task, TaskLease.key.in_(rest), free)
            .with_for_update(skip_locked=True)
        ).all()
        if rest
        else []
    )
    for row in held:  # a lease of this worker's, or one that ran out: its worker died
        if db.session.scalar(
            update(TaskLease)
            .where(TaskLease.id == row.id, free)
            .values(claimed_by=me, lease_until=until)
            .returning(TaskLease.key)
            .execution_options(synchronize_session=False)
        ):
            taken.add(row.key)
            if row.claimed_by != me:
                log.warning(
                    "periodic task %s: took over %s from %s (%s)",
                    task,
                    row.key,
                    row.claimed_by,
                    "its process has ended" if row.claimed_by in gone else "lease ran out",
                )
    db.session.commit()
    return taken


class Claims:
    """The leases of one run of a task over its due ``keys``, claimed :data:`BATCH` at a time as
    the run reaches them (a worker that dies leaves at most a batch waiting for its lease to run
    out; the other workers claim the batches after it meanwhile)."""

    def __init__(self, task: str, keys: list[str]) -> None:
        self.task, self.keys = task, keys
        self.position = {key: n for n, key in enumerate(keys)}
        self.reached = 0  # keys before this index have been offered to claim_many
        self.taken: set[str] = set()

    def hold(self, key: str) -> bool:
        """Whether this worker may do ``key`` now. Claims the next batch when the run reaches
        it, then, in the item's own transaction, renews the lease and locks its row: a lease
        another worker took over meanwhile (it ran out) is not ours any more."""
        n = self.position.get(key)
        if n is None:
            return claim(self.task, key) and self._renew(key)
        if n >= self.reached:
            batch = self.keys[n : n + BATCH]
            self.reached = n + len(batch)
            self.taken |= claim_many(self.task, batch)
        return key in self.taken and self._renew(key)

    def _renew(self, key: str) -> bool:
        renewed = db.session.scalar(
            update(TaskLease)
            .where(
                TaskLease.task == self.task,
                TaskLease.key == key,
                TaskLease.claimed_by == worker_id(),
            )
            .values(lease_until=clock.utcnow_naive() + LEASE)
            .returning(TaskLease.id)
            .execution_options(synchronize_session=False)
        )
        return renewed is not None


def release(task: str, key: str) -> None:
    """End this worker's lease of ``(task, key)`` in the current transaction (not committed)."""
    db.session.execute(
        delete(TaskLease).where(
            TaskLease.task == task, TaskLease.key == key, TaskLease.claimed_by == worker_id()
        )
    )
