"""The hub's tables. Every row belongs to the hub group (``group_id``), like any group-owned data.

The statement store itself (verbatim compact JWS plus parsed fields) is ``node.peering``'s;
these tables are what the hub adds: who is enrolled, one-time enrolment tokens, and the aggregates the dashboard and ``/api/v1`` read (maintained incrementally by
``node.hub.aggregates`` in the same transaction as each statement is stored, and rebuildable
from the store).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.i18n import N_

STATUSES = ("active", "suspended", "removed")
# Shown to people through ``status_label`` (hub views), in the reader's language.
STATUS_LABELS = {"active": N_("active"), "suspended": N_("suspended"), "removed": N_("removed")}
KINDS = ("candidate", "campaign")


class EnrolmentToken(Model):
    """A one-time token a hub officer hands to a group's officer; only its hash is stored."""

    __tablename__ = "hub_enrolment_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100))
    area: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    used_by: Mapped[str | None] = mapped_column(String(2048))


class EnrolledGroup(Model):
    """A group the hub follows and counts: its id URL, pinned keys and ingest health."""

    __tablename__ = "hub_enrolled_groups"
    __table_args__ = (UniqueConstraint("group_id", "url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, …) serves it
    url: Mapped[str] = mapped_column(String(2048))
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[str] = mapped_column(String(100), index=True)
    area: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(10), default="active")
    # Pinned public keys (JWKs); thumbprints are their kids. Grown only by key-rotation statements.
    keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    inbox: Mapped[str] = mapped_column(String(2048))
    outbox: Mapped[str] = mapped_column(String(2048))
    jwks_uri: Mapped[str] = mapped_column(String(2048))
    enrolled_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    status_changed_at: Mapped[datetime | None]
    last_seq: Mapped[int] = mapped_column(default=0)
    last_hash: Mapped[str | None] = mapped_column(String(64))
    statements: Mapped[int] = mapped_column(default=0)
    last_statement_at: Mapped[datetime | None]
    last_sweep_at: Mapped[datetime | None]
    last_sweep_ok_at: Mapped[datetime | None]
    sweep_failures: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    forked_at: Mapped[datetime | None]

    @property
    def thumbprints(self) -> list[str]:
        return [key["kid"] for key in self.keys]

    @property
    def counted(self) -> bool:
        return self.status == "active"


class HubCandidate(Model):
    """A candidate (name, office, area, election date) with the count of counted endorsements."""

    __tablename__ = "hub_candidates"
    __table_args__ = (UniqueConstraint("group_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, …) serves it
    key: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200), index=True)
    office: Mapped[str] = mapped_column(String(200))
    area: Mapped[str] = mapped_column(String(200))
    election_date: Mapped[date]
    endorsements: Mapped[int] = mapped_column(default=0, index=True)
    last_endorsed_at: Mapped[datetime | None]


class HubCampaign(Model):
    """A campaign (keyed by its id URL) with the count of counted co-endorsements."""

    __tablename__ = "hub_campaigns"
    __table_args__ = (UniqueConstraint("group_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, …) serves it
    key: Mapped[str] = mapped_column(String(2048))
    title: Mapped[str] = mapped_column(String(200), index=True)
    summary: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(2048))
    endorsements: Mapped[int] = mapped_column(default=0, index=True)
    last_endorsed_at: Mapped[datetime | None]


class Endorsement(Model):
    """One endorsement statement, denormalised for the views; ``counted`` = active and not
    retracted. The verbatim statement stays in the federation store (``statement_id``)."""

    __tablename__ = "hub_endorsements"
    __table_args__ = (
        UniqueConstraint("group_id", "statement_id"),
        Index("ix_hub_endorsements_subject", "group_id", "kind", "subject_id", "counted"),
        Index("ix_hub_endorsements_region", "group_id", "region", "issued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, …) serves it
    enrolled_id: Mapped[int] = mapped_column(
        ForeignKey("hub_enrolled_groups.id", ondelete="CASCADE"), index=True
    )
    enrolled: Mapped[EnrolledGroup] = relationship(lazy="joined")
    statement_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    region: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))
    electorate: Mapped[int | None]
    turnout: Mapped[int | None]
    result: Mapped[str] = mapped_column(String(1000))
    decided_on: Mapped[date]
    issued_at: Mapped[datetime] = mapped_column(index=True)
    counted: Mapped[bool] = mapped_column(Boolean, default=True)
    retracted_at: Mapped[datetime | None]
    retraction_reason: Mapped[str | None] = mapped_column(String(2000))


class Tally(Model):
    """Counted endorsements per (kind, subject, region, month); subject 0 = all subjects.

    Feeds the charts (co-endorsements by region over time) and the regions page without
    scanning endorsements."""

    __tablename__ = "hub_tallies"
    __table_args__ = (UniqueConstraint("group_id", "kind", "subject_id", "region", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, …) serves it
    kind: Mapped[str] = mapped_column(String(10))
    subject_id: Mapped[int]
    region: Mapped[str] = mapped_column(String(100))
    month: Mapped[str] = mapped_column(String(7))
    count: Mapped[int] = mapped_column(default=0)


class HubLink(Model):
    """Node side: the hub this group joined, with the hub's pinned keys and its latest registry
    (verified with those keys), so peers the registry vouches for need no manual fingerprint."""

    __tablename__ = "hub_links"
    __table_args__ = (UniqueConstraint("group_id", "hub_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    hub_url: Mapped[str] = mapped_column(String(2048))
    name: Mapped[str] = mapped_column(String(200))
    keys: Mapped[list[Any]] = mapped_column(JSON, default=list)
    registry_url: Mapped[str] = mapped_column(String(2048))
    registry_seq: Mapped[int] = mapped_column(default=0)
    registry_body: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    registry_fetched_at: Mapped[datetime | None]
    joined_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
