"""Show officers the periodic work of their group that failed: a dashboard panel, and
``task_failures(prefix)`` for a room's page (e.g. the ballot page names its own failures).

Only the officers of the item's group see a failure: another group's officers, members and
visitors get nothing (the rows are read with the group of the request and the officer check).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import select

from node.extensions import db
from node.i18n import N_
from node.rooms import Rooms
from node.scheduler.models import TaskFailure


def failures(group: Any, prefix: str = "") -> list[Any]:
    """The group's recorded failures (whose key starts with ``prefix``), newest first; given-up
    items (dead letters, which need a person) before the ones still retried by themselves, and
    none an officer has dismissed."""
    stmt = select(TaskFailure).where(
        TaskFailure.group_id == group.id, TaskFailure.dismissed_at.is_(None)
    )
    if prefix:
        stmt = stmt.where(TaskFailure.key.startswith(prefix, autoescape=True))
    return list(
        db.session.scalars(
            stmt.order_by(
                TaskFailure.given_up_at.is_(None), TaskFailure.last_failed_at.desc()
            ).limit(50)
        )
    )


def task_failures(prefix: str) -> list[Any]:
    """For templates: the current group's failures under ``prefix``, for its officers only."""
    group, member = g.get("group"), g.get("member")
    if group is None or member is None or not member.is_officer:
        return []
    return failures(group, prefix)


def panel(group: Any, member: Any) -> dict[str, Any] | None:
    if not member.is_officer:
        return None
    rows = failures(group)
    if not rows:
        return None
    return {
        "title": N_("Background work that failed"),
        "template": "scheduler/_panel.html",
        "rows": rows,
    }


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.scheduler import views

    app.register_blueprint(views.bp)
    app.add_template_global(task_failures, "task_failures")
    rooms.panel(panel, order=0, where="both")  # failed work first, on the hub's too
