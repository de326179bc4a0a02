"""A selection, its nominations and seconders, and its hustings questions and answers.

Times are naive UTC (``node.clock``), shown in UK time. The timetable is stored on the selection
and checked in order by ``node.selections.timetable``; what has *happened* is kept apart from
what was planned: ``closed_at`` (nominations were closed and the ballot made) and
``answers_published_at`` (the candidates' answers became visible, all at once).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member

if TYPE_CHECKING:
    from node.ballots.models import Ballot

MAX_STATEMENT = 5000
MAX_QUESTION = 1000
MAX_ANSWER = 3000
MAX_REASON = 1000  # why a selection was cancelled
QUESTION_STATES = (
    N_("pending"),
    N_("approved"),
    N_("rejected"),
    N_("merged"),
)  # codes, shown translated
# What closing the nominations led to (Selection.outcome).
OUTCOMES = {
    "ballot": N_("A ballot of the valid nominees"),
    "uncontested": N_("Uncontested: no more valid nominees than places, so no ballot"),
    "held": N_("Held back: the ballot could not be made (see the audit log)"),
}


class Selection(Model):
    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    office: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))
    election_date: Mapped[date]
    places: Mapped[int] = mapped_column(default=1)
    nominations_open_at: Mapped[datetime]
    nominations_close_at: Mapped[datetime] = mapped_column(index=True)
    questions_close_at: Mapped[datetime]
    answers_due_at: Mapped[datetime] = mapped_column(index=True)
    ballot_opens_at: Mapped[datetime]
    ballot_closes_at: Mapped[datetime]
    # The rules: who may nominate and second is a member in good standing (active, and a
    # member for at least ``min_days`` days); self-nomination allowed or not; seconders needed.
    self_nomination: Mapped[bool] = mapped_column(default=True)
    seconders_needed: Mapped[int] = mapped_column(default=2)
    min_days: Mapped[int] = mapped_column(default=0)
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(12))
    answers_published_at: Mapped[datetime | None]
    # Called off before the close (node.selections.operations.cancel_selection): terminal.
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str | None] = mapped_column(String(MAX_REASON))
    ballot_news_at: Mapped[datetime | None]  # followers were told the ballot opened
    ballot_id: Mapped[int | None] = mapped_column(ForeignKey("ballots.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    group: Mapped[Group] = relationship(viewonly=True)
    ballot: Mapped[Ballot | None] = relationship(viewonly=True)
    nominations: Mapped[list[Nomination]] = relationship(
        order_by="Nomination.id", cascade="all, delete-orphan", back_populates="selection"
    )

    @property
    def title(self) -> str:
        return f"{self.office}, {self.area}"


class Nomination(Model):
    """One member nominated (by themselves or another member) in one selection."""

    __tablename__ = "selection_nominations"
    __table_args__ = (UniqueConstraint("selection_id", "nominee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    nominee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    accepted_at: Mapped[datetime | None]  # a self-nomination is accepted when made
    withdrawn_at: Mapped[datetime | None]
    statement: Mapped[str] = mapped_column(Text, default="")
    statement_at: Mapped[datetime | None]
    # The candidate's position on the ballot paper, once the ballot is made from the nominations.
    ballot_position: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    selection: Mapped[Selection] = relationship(back_populates="nominations")
    nominee: Mapped[Member] = relationship(foreign_keys=[nominee_id], viewonly=True)
    nominated_by: Mapped[Member | None] = relationship(
        foreign_keys=[nominated_by_id], viewonly=True
    )
    seconders: Mapped[list[Seconder]] = relationship(
        order_by="Seconder.id", cascade="all, delete-orphan"
    )

    @property
    def is_standing(self) -> bool:
        """Accepted by the nominee and not withdrawn (seconded enough or not yet)."""
        return self.accepted_at is not None and self.withdrawn_at is None

    @property
    def is_valid(self) -> bool:
        """Stands: accepted, not withdrawn, and seconded by enough members."""
        return self.is_standing and len(self.seconders) >= self.selection.seconders_needed

    @property
    def status(self) -> str:
        if self.withdrawn_at is not None:
            return "withdrawn"
        if self.accepted_at is None:
            return "waiting for the nominee to accept"
        missing = self.selection.seconders_needed - len(self.seconders)
        if missing > 0:
            return f"needs {missing} more seconder{'s' if missing != 1 else ''}"
        return "valid"


class Seconder(Model):
    __tablename__ = "selection_seconders"
    __table_args__ = (UniqueConstraint("nomination_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominations.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    member: Mapped[Member] = relationship(viewonly=True)


class Question(Model):
    """A hustings question a member put; officers approve, reject or merge it into another."""

    __tablename__ = "selection_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("selection_questions.id", ondelete="SET NULL")
    )
    moderated_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Answer(Model):
    """A candidate's written answer to an approved question; hidden until answers publish."""

    __tablename__ = "selection_answers"
    __table_args__ = (UniqueConstraint("question_id", "nomination_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("selection_questions.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("selection_nominations.id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Mailing(Model):
    """One step of a selection mailed to its electorate (``node.selections.mailing``): the row
    is claimed before the mail goes, so a re-run or a second worker never mails a step twice.
    ``outcome`` says what happened in plain words (how many were e-mailed, or why none were)."""

    __tablename__ = "selection_mailings"
    __table_args__ = (UniqueConstraint("selection_id", "step"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    selection_id: Mapped[int] = mapped_column(
        ForeignKey("selections.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[str] = mapped_column(String(12))
    outcome: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
