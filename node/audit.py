"""The audit log of officer actions: who did what, when. Never holds secrets or ballot contents.

The log is tamper-evident: each group's entries form a hash chain (``seq`` 1, 2, …; each
``entry_hash`` covers the previous one), so an entry changed, removed or inserted after the fact
breaks every later hash and ``commonground doctor`` says where. The personal parts (who, what
target, detail) enter the chain through their own digest, kept beside them: erasing a member
rewrites those parts and marks the entry ``redacted_at``, and the chain still verifies against the
digest — an erasure is visible in the log, never a silent gap. The chain proves the order and
content of the log as the node holds it; a copy of the newest ``entry_hash`` kept elsewhere (the
audit page shows it) is what catches someone who rewrites the whole chain.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model, db

GENESIS = "0" * 64


class AuditEntry(Model):
    """Who did what, when: officer actions are recorded here (never secrets or ballots)."""

    __tablename__ = "audit_log"
    # One entry per place in a group's chain: two writers racing for the same place cannot fork it.
    __table_args__ = (UniqueConstraint("group_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str | None] = mapped_column(String(200))
    detail: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive, index=True)
    seq: Mapped[int] = mapped_column()
    prev_hash: Mapped[str] = mapped_column(String(64))
    personal_digest: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    redacted_at: Mapped[datetime | None] = mapped_column()


def personal_digest(actor_label: str, target: str | None, detail: str | None) -> str:
    """The digest of an entry's personal parts, which the chain covers instead of the parts."""
    return _sha256([actor_label, target, detail])


def entry_hash(group_id: int, seq: int, action: str, at: datetime, personal: str, prev: str) -> str:
    """The chain link: SHA-256 of a JSON array of the entry's fixed parts and the previous hash."""
    return _sha256([group_id, seq, action, at.isoformat(timespec="microseconds"), personal, prev])


def _sha256(parts: list[Any]) -> str:
    canonical = json.dumps(parts, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _lock_chain(group_id: int) -> None:
    """Serialise appends to one group's chain (PostgreSQL; SQLite has a single writer anyway)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(
            text("SELECT pg_advisory_xact_lock(:space, :group_id)"),
            {"space": 0x617564, "group_id": group_id},  # 0x617564: "aud", this lock's space
        )


def chain_head(group_id: int) -> AuditEntry | None:
    """The newest entry of a group's chain."""
    return db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.group_id == group_id)
        .order_by(AuditEntry.seq.desc())
        .limit(1)
    ).first()


def record(
    group: Any, actor: Any, action: str, target: str | None = None, detail: str | None = None
) -> None:
    """Append an audit entry in the caller's transaction (it commits or rolls back with the change)."""
    if group is None:
        return
    label = ("system (command line)" if actor is None else f"{actor.name} (#{actor.id})")[:200]
    target = (target or "")[:200] or None
    _lock_chain(group.id)
    head = chain_head(group.id)
    seq, prev = (1, GENESIS) if head is None else (head.seq + 1, head.entry_hash)
    at = clock.utcnow_naive()
    personal = personal_digest(label, target, detail)
    db.session.add(
        AuditEntry(
            group_id=group.id,
            actor_id=actor.id if actor is not None else None,
            actor_label=label,
            action=action,
            target=target,
            detail=detail,
            at=at,
            seq=seq,
            prev_hash=prev,
            personal_digest=personal,
            entry_hash=entry_hash(group.id, seq, action, at, personal, prev),
        )
    )


@dataclass(frozen=True)
class ChainBreak:
    """Where a group's audit chain stops verifying, and why (in words for the operator)."""

    group_id: int
    seq: int
    reason: str


def verify_chain(group_id: int) -> Iterator[ChainBreak]:
    """Every place the group's chain fails to verify, walking it from the first entry."""
    expected_seq, prev = 1, GENESIS
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.group_id == group_id).order_by(AuditEntry.seq)
    )
    for entry in entries:
        if entry.seq != expected_seq:
            yield ChainBreak(group_id, expected_seq, f"entry {expected_seq} is missing")
        if entry.prev_hash != prev:
            yield ChainBreak(group_id, entry.seq, "it does not follow the entry before it")
        if entry.redacted_at is None and entry.personal_digest != personal_digest(
            entry.actor_label, entry.target, entry.detail
        ):
            yield ChainBreak(group_id, entry.seq, "who, target or detail were changed")
        recomputed = entry_hash(
            group_id, entry.seq, entry.action, entry.at, entry.personal_digest, entry.prev_hash
        )
        if entry.entry_hash != recomputed:
            yield ChainBreak(group_id, entry.seq, "its action or time were changed")
        expected_seq, prev = entry.seq + 1, entry.entry_hash
