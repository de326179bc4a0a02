"""Newsletters: one message from the group to its members (all of them or a segment), and one
row per recipient so the worker can send them one by one and officers can watch the progress.

The segment is stored as its kind and value (``"ward"``, ``"Anfield"``; ``"event"``, ``"12"``),
not as a foreign key: a newsletter outlives the event it was aimed at, and its recipients are
fixed when it is queued. Counts of who was left out (no e-mail consent, no address) are fixed
at that moment too, so the list of sent newsletters stays right after members change.

A recipient row keeps only its state once its member is erased (``member_id`` set to NULL by
the erasure hook), so the sent/failed counts stay right without keeping the person.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model

STATES = ("draft", "sending", "sent")
RECIPIENT_STATES = ("pending", "sent", "failed", "cancelled")


class Newsletter(Model):
    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown, as the author typed it
    segment_kind: Mapped[str] = mapped_column(String(20), default="all")
    segment_value: Mapped[str | None] = mapped_column(String(200))
    segment_label: Mapped[str] = mapped_column(String(300), default="All members")
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    excluded_no_consent: Mapped[int] = mapped_column(default=0)
    excluded_no_address: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    queued_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

    @property
    def excluded(self) -> int:
        return self.excluded_no_consent + self.excluded_no_address


class Recipient(Model):
    """One member a queued newsletter goes to; the worker sends each in its own transaction."""

    __tablename__ = "newsletter_recipients"
    __table_args__ = (UniqueConstraint("newsletter_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    newsletter_id: Mapped[int] = mapped_column(
        ForeignKey("newsletters.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
