"""The ballots' periodic task: open, remind and close what is due, one ballot at a time.

Each due job is a ``node.scheduler`` item, so a ballot whose job raises (a bad row, a mail
server refusing, a bug) is rolled back, recorded for its group's officers and retried with
back-off, while every other group's ballots open and close on time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from node import clock
from node.audit import record
from node.ballots.models import Ballot
from node.ballots.operations import (
    REMIND_BEFORE,
    close_ballot,
    open_ballot,
    reminder_due,
    send_reminders,
)
from node.errors import Conflict, OperationError
from node.extensions import db
from node.scheduler import Item, each_item

_JOB_LABELS = {"open": "Opening", "close": "Closing", "remind": "Reminding electors of"}


def due_jobs(now: datetime) -> list[Item[tuple[str, int]]]:
    """Every ballot job due at ``now`` (open, close, remind), one scheduler item each."""
    rows: list[tuple[str, Any]] = [
        ("open", (Ballot.state == "draft") & Ballot.scheduled.is_(True) & (Ballot.opens_at <= now)),
        ("close", (Ballot.state == "open") & (Ballot.closes_at <= now)),
        (
            "remind",
            (Ballot.state == "open")
            & Ballot.reminded_at.is_(None)
            & (Ballot.closes_at > now)
            & (Ballot.closes_at <= now + REMIND_BEFORE),
        ),
    ]
    jobs: list[Item[tuple[str, int]]] = []
    for job, condition in rows:
        for ballot_id, group_id, title, opened_at, closes_at in db.session.execute(
            select(Ballot.id, Ballot.group_id, Ballot.title, Ballot.opened_at, Ballot.closes_at)
            .where(condition)
            .order_by(Ballot.id)
        ):
            if job == "remind" and not reminder_due(opened_at, closes_at, now):
                continue
            label = f"{_JOB_LABELS[job]} ballot #{ballot_id} “{title}”"
            jobs.append(Item(f"ballot-{ballot_id}-{job}", group_id, label, (job, ballot_id)))
    return jobs


def run_job(job: tuple[str, int]) -> int:
    """One ballot's due job in its own transaction; 1 if it was done, 0 if there was nothing to do.

    Another process having done it (Conflict) and a refusal such as an electorate that emptied
    (the ballot is held back and the officers told in the audit log) are outcomes, not failures; any
    other error propagates to ``node.scheduler.each_item``, which records it and retries later.
    """
    kind, ballot_id = job
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        return 0
    try:
        if kind == "open":
            open_ballot(ballot)
        elif kind == "close":
            close_ballot(ballot)
        else:
            send_reminders(ballot)
        db.session.commit()
        return 1
    except Conflict:  # another process got there first
        db.session.rollback()
    except OperationError as exc:  # e.g. the electorate emptied: hold it back and say so
        db.session.rollback()
        ballot = db.session.get(Ballot, ballot_id)
        if ballot is not None and ballot.state == "draft":
            ballot.scheduled = False
            record(ballot.group, None, "ballot-not-opened", f"ballot #{ballot.id}", str(exc))
            db.session.commit()
    return 0


def run_due() -> int:
    """Open, remind and close whatever is due now; one transaction per ballot, and one ballot's
    failure (recorded, retried with back-off, shown to its officers) never holds up another's.
    Returns the number of actions taken."""
    return each_item("ballots", due_jobs(clock.utcnow_naive()), run_job)
