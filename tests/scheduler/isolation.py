"""A dead letter (periodic work given up) of one group, for the tenant-isolation walk: another
group's officer must not see it or press its retry and dismiss buttons."""

from __future__ import annotations


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node import clock
    from node.extensions import db
    from node.scheduler.models import TaskFailure

    now = clock.utcnow_naive()
    failure = TaskFailure(
        task="test.isolation",
        key=f"isolation-{group.id}",
        group_id=group.id,
        label=f"{prefix} work",
        attempts=12,
        first_failed_at=now,
        last_failed_at=now,
        next_attempt_at=None,
        error=f"{prefix} error",
        given_up_at=now,
    )
    db.session.add(failure)
    db.session.commit()
    return [failure.id]
