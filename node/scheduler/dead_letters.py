"""Dead letters: items of periodic work given up after repeated failures, and what a person does
about them. An officer of the item's group retries one (its attempts start again at the next run
of the worker) or dismisses it (hidden from the panel, still never retried by itself);
``commonground doctor`` counts them per task so the operator sees them too.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from node import audit, clock
from node.errors import Conflict
from node.extensions import db
from node.scheduler.models import TaskFailure


def retry(failure: TaskFailure, group: Any, actor: Any) -> None:
    """Try the item again at the worker's next run, with a fresh count of attempts."""
    if failure.given_up_at is None and failure.dismissed_at is None:
        raise Conflict(_("This work has not been given up: it is already retried by itself."))
    failure.given_up_at = failure.dismissed_at = None
    failure.attempts = 0
    failure.next_attempt_at = clock.utcnow_naive()
    audit.record(group, actor, "background work retried", failure.label)


def dismiss(failure: TaskFailure, group: Any, actor: Any) -> None:
    """Hide a given-up item from the panel; it stays given up (never retried by itself)."""
    if failure.given_up_at is None:
        raise Conflict(_("Only work that has been given up can be dismissed."))
    failure.dismissed_at = clock.utcnow_naive()
    audit.record(group, actor, "background work dismissed", failure.label)


def count_by_task() -> dict[str, int]:
    """How many items each task has given up (dismissed ones included: they are still not done)."""
    rows = db.session.execute(
        select(TaskFailure.task, func.count())
        .where(TaskFailure.given_up_at.is_not(None))
        .group_by(TaskFailure.task)
        .order_by(TaskFailure.task)
    )
    return {row[0]: row[1] for row in rows}
