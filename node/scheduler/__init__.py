"""Periodic work that must happen on time without anyone watching (ballots opening and closing,
reminders, federation deliveries and pulls, the hub's sweep).

Rooms register tasks in ``init_app`` (``rooms.task``, :mod:`node.rooms`); ``commonground worker`` runs :func:`run_due_tasks` in a
loop (and ``--once`` runs it a single time). Each task is a callable taking no argument that does
whatever is due at ``node.clock.now()`` and returns how many things it did, so the worker can
report progress and tests can call it directly.

One install serves many groups, so one group's bad row must never stop another group's work
(one ballot's title must not stop every group's ballots). A task therefore hands its
due items to :func:`each_item`, which runs each in its own transaction and, when one raises,
rolls it back, records the failure (:class:`node.scheduler.models.TaskFailure`: attempts, when,
a safe summary, when it is retried — exponential back-off), and carries on with the next. The
failure is shown to the officers of the item's group only (``node.scheduler.setup``).
``tests/security/test_periodic_tasks.py`` makes one item fail in every registered task.

An item that has failed :data:`GIVE_UP_AFTER` times is given up: a dead letter, no longer
retried by itself, marked "needs a person" on the officers' panel (where an officer retries or
dismisses it, :mod:`node.scheduler.dead_letters`) and counted by ``commonground doctor``
(``tests/scheduler/test_dead_letters.py``).

Any number of workers, on any number of machines, run the tasks over the same database: an item
is done by the one that holds its lease (:mod:`node.scheduler.leases`), the others move on to the
next (``tests/scheduler/test_leases.py``; two real workers in ``test_many_workers.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.exc import SQLAlchemyError

from federation.backoff import MAX_ATTEMPTS
from node import clock, signals
from node.extensions import db
from node.mail import header_text
from node.rooms import rooms_of
from node.scheduler import leases
from node.scheduler.models import TaskFailure

log = logging.getLogger(__name__)
T = TypeVar("T")

RETRY_FIRST = timedelta(minutes=1)
RETRY_CAP = timedelta(hours=6)
FORGET_AFTER = timedelta(days=30)  # a failure no longer due is kept this long for officers
# Attempts before an item is given up: the same patience as a federation delivery (its own
# dead-lettering must be reached first, or the scheduler would stop a delivery before it is marked
# dead). The pauses double from 1 min to the 6 h cap, so the 15th failure comes about 38 h after
# the first: an outage of a night or a day (a peer down, the mail server out) heals by itself,
# while an item that cannot work (bad data) stops costing a run every 6 h and waits for a person.
GIVE_UP_AFTER = MAX_ATTEMPTS


@dataclass(frozen=True)
class Item(Generic[T]):
    """One unit of a task's work: ``key`` is stable across runs (it carries the attempt count),
    ``group_id`` says whose officers see a failure (None: the install's operator only, in the
    log), ``label`` is what they read, ``value`` is what the work function gets."""

    key: str
    group_id: int | None
    label: str
    value: T


def run_due_tasks() -> dict[str, int]:
    """Run every registered task once; one failing task never stops the others."""
    done: dict[str, int] = {}
    for task in rooms_of().tasks:
        try:
            done[task.name] = task.run()
        except Exception:  # a worker must survive a bad row; the error is logged with its task
            db.session.rollback()
            log.exception("periodic task %s failed", task.name)
            done[task.name] = -1
    return done


def retry_delay(attempts: int) -> timedelta:
    """1 min, 2, 4, … doubling per failed attempt, at most 6 h (deterministic: officers are
    told when the next attempt is)."""
    delay: timedelta = RETRY_FIRST * 2 ** min(max(attempts - 1, 0), 20)
    return min(RETRY_CAP, delay)


def summary(exc: BaseException) -> str:
    """A one-line description of ``exc`` that is safe to show the item's officers: a database
    error names only its kind (its text carries SQL and bound values)."""
    if isinstance(exc, SQLAlchemyError):
        orig = getattr(exc, "orig", None)
        kind = type(orig).__name__ if orig is not None else type(exc).__name__
        return f"database error ({kind})"
    text = str(exc).splitlines()[0] if str(exc) else ""
    return header_text(f"{type(exc).__name__}: {text}" if text else type(exc).__name__, 300)


def each_item(task: str, items: Iterable[Item[T]], work: Callable[[T], int | None]) -> int:
    """Run ``work(item.value)`` for every item, each protected; returns the sum of what they did.

    ``work`` commits its own transaction (or this commits after it). An item that raises is
    rolled back, its failure recorded or its attempt counted, and the next item runs. An item
    still in back-off is skipped until its retry time, a given-up item until a person retries
    it, an item another worker holds (its lease) until that worker is done with it; a success
    clears its failure. ``items``
    must list every item that is due now: a recorded failure whose item is no longer listed is
    marked as no longer retried (and forgotten after 30 days). The keys still due at the end
    go out on ``signals.task_backlog`` (the operator's queue depth per task).
    """
    items = list(items)
    now = clock.utcnow_naive()
    failures = {
        f.key: f for f in db.session.scalars(select(TaskFailure).where(TaskFailure.task == task))
    }
    waiting = {
        k
        for k, f in failures.items()
        if f.given_up_at is not None or (f.next_attempt_at is not None and f.next_attempt_at > now)
    }
    done, failed = 0, False
    claims = leases.Claims(task, [item.key for item in items if item.key not in waiting])
    finished: set[str] = set()
    for item in items:
        if item.key in waiting:
            continue
        try:
            if not claims.hold(item.key):
                continue  # another worker is doing it now
            signals.send(signals.item_starting, task=task, key=item.key)
            done += work(item.value) or 0
            leases.release(task, item.key)
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("periodic task %s: item %s failed", task, item.key)
            _record(task, item, exc, now)
            failed = True
            continue
        finished.add(item.key)
        if item.key in failures:
            db.session.execute(
                delete(TaskFailure).where(TaskFailure.task == task, TaskFailure.key == item.key)
            )
            db.session.commit()
    if failures or failed:  # nothing recorded: nothing to retire (the common, quiet case)
        _retire(task, {item.key for item in items}, now)
    signals.send(
        signals.task_backlog, task=task, left=[i.key for i in items if i.key not in finished]
    )
    return done


def _record(task: str, item: Item[T], exc: BaseException, now: datetime) -> None:
    row = db.session.scalar(
        select(TaskFailure).where(TaskFailure.task == task, TaskFailure.key == item.key)
    )
    if row is None:
        row = TaskFailure(task=task, key=item.key, attempts=0, first_failed_at=now)
        db.session.add(row)
    row.group_id = item.group_id
    row.label = item.label[:200]
    row.attempts += 1
    row.last_failed_at = now
    row.error = summary(exc)
    row.next_attempt_at = now + retry_delay(row.attempts)
    if row.attempts >= GIVE_UP_AFTER:
        row.next_attempt_at, row.given_up_at = None, now
        log.error(
            "periodic task %s: item %s given up after %d attempts", task, item.key, row.attempts
        )
    leases.release(task, item.key)
    db.session.commit()


def _retire(task: str, due: set[str], now: datetime) -> None:
    """Failures of items no longer due are not retried; after FORGET_AFTER they go. A dead
    letter whose item is still due stays (forgetting it would start the attempts again)."""
    rows = db.session.scalars(select(TaskFailure).where(TaskFailure.task == task)).all()
    for row in rows:
        if row.key in due:
            continue
        if row.last_failed_at < now - FORGET_AFTER:
            db.session.delete(row)
        elif row.next_attempt_at is not None:
            row.next_attempt_at = None
    db.session.commit()
