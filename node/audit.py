"""The audit log of officer actions: who did what, when. Never holds secrets or ballot contents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model, db


class AuditEntry(Model):
    """Who did what, when: officer actions are recorded here (never secrets or ballots)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive, index=True)


def record(
    group: Any, actor: Any, action: str, target: str | None = None, detail: str | None = None
) -> None:
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
