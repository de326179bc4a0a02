"""The failures of periodic work, one row per failing item, for officers and the operator."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node.extensions import Model


class TaskFailure(Model):
    """An item of a periodic task that failed: how often, when last, why, when it is retried.

    ``group_id`` is the group whose item it is: only that group's officers see the row (None: an
    install-wide item, seen in the worker's log only). ``next_attempt_at`` None means the item is
    no longer due and will not be retried. A success deletes the row.

    ``given_up_at`` is set when the item failed :data:`node.scheduler.GIVE_UP_AFTER` times: a
    dead letter, never retried by itself, shown to the officers as needing a person until one
    retries it (attempts start again) or dismisses it (``dismissed_at``: hidden, still not
    retried, so a dismissed item cannot come back by itself).
    """

    __tablename__ = "task_failures"
    __table_args__ = (UniqueConstraint("task", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer)
    first_failed_at: Mapped[datetime]
    last_failed_at: Mapped[datetime]
    next_attempt_at: Mapped[datetime | None]
    error: Mapped[str] = mapped_column(String(300))
    given_up_at: Mapped[datetime | None]
    dismissed_at: Mapped[datetime | None]


class TaskLease(Model):
    """An item of periodic work one worker is doing now (``node.scheduler.leases``).

    Any number of ``commonground worker`` processes, on any number of machines, run the same
    tasks over the same due items; the row says which of them has an item (``claimed_by``) and
    until when (``lease_until``). The holder deletes it in the transaction that finishes the item,
    so the table holds only the items in progress; a row whose lease has run out was left by a
    worker that died, and the next worker to reach the item takes it over.
    """

    __tablename__ = "task_leases"
    __table_args__ = (UniqueConstraint("task", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    task: Mapped[str] = mapped_column(String(80))
    key: Mapped[str] = mapped_column(String(200))
    claimed_by: Mapped[str] = mapped_column(String(120))
    lease_until: Mapped[datetime]
