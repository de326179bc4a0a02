"""Campaigns, their organisers and actions, and who signed up (and turned up) for each action.

A campaign may also have come from a peer group over federation (``received``); then ``origin`` is
that group's id URL and ``id_url`` the campaign's URL on the peer's site.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member

# Marked so that pages can show them in the reader's language: ``{{ _(campaign.status) }}``.
STATUSES = (N_("active"), N_("paused"), N_("won"), N_("lost"))
ACTION_KINDS = (
    N_("leaflet"),
    N_("picket"),
    N_("phone bank"),
    N_("petition"),
    N_("council meeting"),
    N_("door knock"),
    N_("other"),
)
SIGNUP_STATUSES = ("signed_up", "withdrawn")


class Campaign(Model):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    group: Mapped[Group] = relationship("node.groups.models.Group")
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(1000), default="")
    aims: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="active", index=True)
    # Partner organisations, one per line (a tenants' union, a union branch, a food bank).
    partners: Mapped[str | None] = mapped_column(Text)
    id_url: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str | None] = mapped_column(String(500))
    received: Mapped[bool] = mapped_column(default=False)
    endorsed_at: Mapped[datetime | None]
    # Shown on the group's public home page (node.public); members-only unless ticked.
    public: Mapped[bool] = mapped_column(default=False, server_default="0")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    organisers: Mapped[list[CampaignOrganiser]] = relationship(
        "CampaignOrganiser", back_populates="campaign", cascade="all, delete-orphan"
    )
    actions: Mapped[list[Action]] = relationship(
        "Action",
        back_populates="campaign",
        cascade="all, delete-orphan",
        order_by=lambda: Action.starts_at,
    )

    @property
    def partner_list(self) -> list[str]:
        return [p.strip() for p in (self.partners or "").splitlines() if p.strip()]


class CampaignOrganiser(Model):
    __tablename__ = "campaign_organisers"
    __table_args__ = (UniqueConstraint("campaign_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    since: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    campaign: Mapped[Campaign] = relationship("Campaign", back_populates="organisers")
    member: Mapped[Member] = relationship("node.members.models.Member")


class Action(Model):
    """Something members can do for a campaign, on a date (or by a deadline), with a target."""

    __tablename__ = "campaign_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    details: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # UTC; the deadline if is_deadline
    is_deadline: Mapped[bool] = mapped_column(default=False)
    place: Mapped[str | None] = mapped_column(String(300))
    target: Mapped[int | None]
    outcome: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    campaign: Mapped[Campaign] = relationship("Campaign", back_populates="actions")
    signups: Mapped[list[ActionSignup]] = relationship(
        "ActionSignup",
        back_populates="action",
        cascade="all, delete-orphan",
        order_by=lambda: ActionSignup.id,
    )

    @property
    def active_signups(self) -> list[ActionSignup]:
        return [s for s in self.signups if s.status == "signed_up"]


class ActionSignup(Model):
    __tablename__ = "action_signups"
    __table_args__ = (UniqueConstraint("action_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int] = mapped_column(
        ForeignKey("campaign_actions.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="signed_up")
    attended: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    action: Mapped[Action] = relationship("Action", back_populates="signups")
    member: Mapped[Member] = relationship("node.members.models.Member")
