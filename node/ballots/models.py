"""Ballots, their candidates, the frozen electorate, who voted, and the anonymous ballots.

Secrecy is a property of this schema, so it is spelled out here:

* :class:`Participation` records *who* voted (and when); UNIQUE (ballot_id, member_id) is what
  enforces one member, one vote, inside the same transaction that stores the ballot.
* :class:`CastBallot` records *what* was voted: no member reference, no timestamp, and a random
  UUID primary key instead of an autoincrementing one, so neither a column nor the key orders it
  against the participation rows. On SQLite the table is ``WITHOUT ROWID`` (otherwise SQLite keeps
  a hidden, increasing rowid); on PostgreSQL the rows of a ballot are rewritten in random order
  when it closes (see ``operations.close_ballot`` and docs/ballots.md for what remains).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.groups.models import Group
from node.i18n import N_

KINDS = {
    "candidate-selection": N_("Candidate selection"),
    "endorsement": N_("Endorsement decision"),
    "motion": N_("Motion"),
    "choice": N_("Choice between options"),
}
METHODS = {
    "motion": N_("Motion (yes / no / abstain)"),
    "fptp": N_("First past the post"),
    "approval": N_("Approval"),
    "irv": N_("Alternative vote (IRV, one seat)"),
    "scottish-stv": N_("Single transferable vote (Scottish rules)"),
    "meek-stv": N_("Single transferable vote (Meek)"),
}
THRESHOLDS = {"simple": N_("Simple majority"), "two-thirds": N_("Two thirds")}
MOTION_CHOICES = (N_("Yes"), N_("No"), N_("Abstain"))
# How each state is shown (the stored value is the key).
STATES = {
    "draft": N_("draft"),
    "open": N_("open"),
    "closed": N_("closed"),
    "published": N_("published"),
    "cancelled": N_("cancelled"),
}


class Ballot(Model):
    __tablename__ = "ballots"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    question: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(24))
    method: Mapped[str] = mapped_column(String(16))
    seats: Mapped[int] = mapped_column(default=1)
    # Naive UTC (node.clock.utcnow_naive); shown in Europe/London.
    opens_at: Mapped[datetime]
    closes_at: Mapped[datetime]
    # Electorate rule: active members who joined on or before freeze_on, and (optionally) at
    # least min_days before it.
    freeze_on: Mapped[date]
    min_days: Mapped[int | None]
    # …and, optionally, in good standing nationally on freeze_on (as vouched for by the hub's
    # single sign-on, node/oidc; members the hub never vouched for are then not electors).
    requires_national_good_standing: Mapped[bool] = mapped_column(default=False)
    quorum: Mapped[int | None]  # an absolute number of voters…
    quorum_percent: Mapped[int | None]  # …or a share of the electorate
    threshold: Mapped[str] = mapped_column(String(12), default="simple")
    # draft → open → closed → published (node.ballots.operations)
    state: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    # A draft opens on time only once an officer has seen the electorate and scheduled it.
    scheduled: Mapped[bool] = mapped_column(default=False)
    seed: Mapped[int]  # for ties settled by lot; published with the result
    electorate_size: Mapped[int | None]
    turnout: Mapped[int | None]
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    blt: Mapped[str | None] = mapped_column(Text)  # the published anonymised ballots
    ballots_hash: Mapped[str | None] = mapped_column(String(64))
    decision_ready: Mapped[bool] = mapped_column(default=False)
    # What a decision is about, signed with it (see node/ballots/decisions.py). A candidate
    # selection: the office (or seat), area and election date. An endorsement: a campaign of the
    # group, or a campaign described here (title, summary, optional URL).
    office: Mapped[str | None] = mapped_column(String(200))
    area: Mapped[str | None] = mapped_column(String(200))
    election_date: Mapped[date | None]
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id", ondelete="SET NULL"))
    campaign_title: Mapped[str | None] = mapped_column(String(200))
    campaign_summary: Mapped[str | None] = mapped_column(Text)
    campaign_url: Mapped[str | None] = mapped_column(String(500))
    # Set once, when the decision is signed: the statement ids (UUIDs) it became.
    decision_published_at: Mapped[datetime | None]
    statement_ids: Mapped[list[str] | None] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    opened_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    options: Mapped[list[BallotOption]] = relationship(
        order_by="BallotOption.position", cascade="all, delete-orphan"
    )
    group: Mapped[Group] = relationship(viewonly=True)

    def _taking_votes_now(self, now: Any) -> bool:
        return self.state == "open" and self.opens_at <= now < self.closes_at

    def _taking_votes_in_sql(cls: Any, now: Any) -> ColumnElement[bool]:
        return and_(cls.state == "open", cls.opens_at <= now, cls.closes_at > now)

    # Whether the ballot takes votes at ``now``: open, and ``now`` in [opens_at, closes_at). The
    # voter's early refusal asks the loaded ballot (voting.check_open), the batch that stores
    # votes asks in SQL under the write lock (vote_batch); the two forms stay side by side and
    # tests/ballots/test_taking_votes.py checks that they agree.
    taking_votes = hybrid_method(_taking_votes_now, _taking_votes_in_sql)

    @property
    def is_motion(self) -> bool:
        return self.method == "motion"

    @property
    def choice_names(self) -> list[str]:
        """The names written to the BLT file: candidates, or Yes/No/Abstain for a motion."""
        return list(MOTION_CHOICES) if self.is_motion else [o.name for o in self.options]

    def __repr__(self) -> str:
        return f"<Ballot {self.id} {self.state}>"


class BallotOption(Model):
    """A candidate (or option) on a ballot; ``position`` is its 0-based number in the BLT file."""

    __tablename__ = "ballot_options"
    __table_args__ = (UniqueConstraint("ballot_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    position: Mapped[int]
    name: Mapped[str] = mapped_column(String(120))


class Elector(Model):
    """The electorate, frozen when the ballot opens."""

    __tablename__ = "ballot_electors"

    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballots.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )


class Participation(Model):
    """Who voted, and when. Never linked to the ballot paper they cast."""

    __tablename__ = "ballot_participations"
    __table_args__ = (UniqueConstraint("ballot_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    voted_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    # How the vote was cast (PARTICIPATION_METHODS), for the officers' turnout audit.
    method: Mapped[str] = mapped_column(String(10), default="signed_in", server_default="signed_in")


PARTICIPATION_METHODS = {
    "link": N_("Voting link"),
    "signed_in": N_("Signed in"),
    "code": N_("Voting code"),
}


class VotingCredential(Model):
    """A personal voting link (``kind`` "link") or a printed voting code ("code") of one elector
    for one ballot (node/ballots/voting_links.py). Only the SHA-256 of the secret is stored.

    It lives on the *who* side, like :class:`Participation`: nothing on a ballot paper refers to
    it. A credential is live while ``used_at`` and ``revoked_at`` are empty and the ballot is open.
    """

    __tablename__ = "ballot_credentials"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class CastBallot(Model):
    """One anonymous ballot paper: a ranking of option positions and the hash of its receipt.

    No member, no timestamp, random primary key (see the module docstring).
    """

    __tablename__ = "ballot_papers"
    __table_args__ = (
        Index("ix_ballot_papers_ballot_id", "ballot_id"),
        {"sqlite_with_rowid": False},
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballots.id", ondelete="CASCADE"))
    # 0-based option positions, most preferred first (approval: the approved, in number order;
    # motion: one of 0 = Yes, 1 = No, 2 = Abstain).
    ranking: Mapped[list[int]] = mapped_column(JSON)
    receipt_hash: Mapped[str] = mapped_column(String(64), unique=True)
