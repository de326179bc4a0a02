"""The audit log of officer actions: who did what, when. Never holds secrets or ballot contents."""

from __future__ import annotations

from node.extensions import db
from node.members.models import AuditEntry


def record(group, actor, action: str, target: str | None = None, detail: str | None = None) -> None:
    """Append an audit entry in the caller's transaction (it commits or rolls back with the change)."""
    if group is None:
        return
    label = "system (command line)" if actor is None else f"{actor.name} (#{actor.id})"
    db.session.add(
        AuditEntry(
            group_id=group.id,
            actor_id=actor.id if actor is not None else None,
            actor_label=label[:200],
            action=action,
            target=(target or "")[:200] or None,
            detail=detail,
        )
    )
