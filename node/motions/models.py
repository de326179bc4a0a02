"""Motions, their seconders, discussion, amendments, and the group's setting for seconders.

A motion moves through ``STATES``: proposed (waiting for seconders) → agenda (enough seconders;
discussed and amended) → voting (its amendments' ballots, then its own, one after another) →
carried or lost; or decided at a meeting (carried or lost, with the meeting's date and minute);
or withdrawn by its mover. Ballots live in the ballots room, linked here by id.

Erasure (``node.motions.erasure``) keeps what a member wrote and removes who wrote it: the
author columns become NULL and the page says "a former member".
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.i18n import N_

STATES = {
    "proposed": N_("Waiting for seconders"),
    "agenda": N_("On the agenda"),
    "voting": N_("Being voted on"),
    "carried": N_("Carried"),
    "lost": N_("Lost"),
    "withdrawn": N_("Withdrawn"),
}
AMENDMENT_STATES = {
    "proposed": N_("Proposed"),
    "accepted": N_("Accepted by the mover"),
    "voting": N_("Being voted on"),
    "carried": N_("Carried"),
    "lost": N_("Lost"),
    "fell": N_("Fell"),
    "withdrawn": N_("Withdrawn"),
}
DEFAULT_SECONDERS = 2
MAX_TITLE = 200
MAX_TEXT = 4000  # the text goes into a ballot's question, which holds 5,000
MAX_POST = 5000
MAX_REASON = 500


class MotionSettings(Model):
    """How many seconders bring a motion to the agenda in one group (no row: the default)."""

    __tablename__ = "motion_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), unique=True)
    seconders: Mapped[int] = mapped_column(default=DEFAULT_SECONDERS)


class Motion(Model):
    __tablename__ = "motions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    text: Mapped[str] = mapped_column(Text)  # as it stands now (Markdown)
    original_text: Mapped[str] = mapped_column(Text)  # as proposed
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    state: Mapped[str] = mapped_column(String(12), default="proposed", index=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    on_agenda_at: Mapped[datetime | None]
    # Put to the vote: each ballot stays open this many days; the final ballot's quorum.
    vote_days: Mapped[int | None]
    quorum: Mapped[int | None]
    final_ballot_id: Mapped[int | None] = mapped_column(
        ForeignKey("ballots.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None]
    decided_how: Mapped[str | None] = mapped_column(String(8))  # ballot | meeting
    meeting_date: Mapped[date | None]
    minute: Mapped[str | None] = mapped_column(String(200))
    endorsement_published: Mapped[bool] = mapped_column(default=False)

    seconds: Mapped[list[Second]] = relationship(
        order_by="Second.id", cascade="all, delete-orphan", viewonly=False
    )
    amendments: Mapped[list[Amendment]] = relationship(
        order_by="Amendment.position", cascade="all, delete-orphan"
    )

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)

    @property
    def is_open(self) -> bool:
        """Still being discussed and amended (before the vote)."""
        return self.state in ("proposed", "agenda")


class Second(Model):
    __tablename__ = "motion_seconds"
    __table_args__ = (UniqueConstraint("motion_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Post(Model):
    """One contribution to a motion's discussion; ``parent_id`` makes it a reply."""

    __tablename__ = "motion_posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("motion_posts.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    edited_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(String(MAX_REASON))


class Amendment(Model):
    """A proposed change to a motion's text: the whole text as it would read (``text``) and the
    motion's text when it was written (``base_text``), so the change applies to later texts
    where they still agree (``node.motions.diffs``)."""

    __tablename__ = "motion_amendments"
    __table_args__ = (UniqueConstraint("motion_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    motion_id: Mapped[int] = mapped_column(ForeignKey("motions.id", ondelete="CASCADE"))
    position: Mapped[int]  # 1, 2, … in the order proposed: the order they are voted on
    proposer_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    base_text: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    state: Mapped[str] = mapped_column(String(10), default="proposed")
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    decided_at: Mapped[datetime | None]

    @property
    def state_label(self) -> str:
        return AMENDMENT_STATES.get(self.state, self.state)
