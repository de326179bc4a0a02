"""The group's public description and joining settings, and membership applications.

A :class:`MembershipApplication` is someone asking to join *this group* through its public join
form (``/join``). It is not the hub's national join request (``node.oidc``): no account, no hub.
One row per address per group (a unique constraint), so a second submission with the same
address updates the row instead of adding one, also when two arrive at once.

Life of an application: ``unconfirmed`` (the confirmation link was mailed; only its SHA-256 hash
is stored, and it expires) → ``pending`` (the address is proven; it waits in the officers' queue)
→ ``approved`` (a member was made) or ``merged`` (folded into an existing member). A declined
application is deleted, with an audit entry that names no one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model
from node.i18n import N_

# Marked so that pages can show them in the reader's language: ``{{ _(item.status) }}``.
STATUSES = (N_("unconfirmed"), N_("pending"), N_("approved"), N_("merged"))


class PublicProfile(Model):
    """What the group says about itself to the public, and how it takes new members."""

    __tablename__ = "public_profiles"
    __table_args__ = (UniqueConstraint("group_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    # Markdown, rendered without raw HTML (node.richtext).
    description: Mapped[str | None] = mapped_column(Text)
    join_open: Mapped[bool] = mapped_column(default=True)
    # Confirmed applications become members without an officer's approval.
    auto_accept: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )


class MembershipApplication(Model):
    __tablename__ = "membership_applications"
    __table_args__ = (UniqueConstraint("group_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="unconfirmed", index=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))  # lower case
    phone: Mapped[str | None] = mapped_column(String(40))
    ward: Mapped[str | None] = mapped_column(String(120))
    union: Mapped[str | None] = mapped_column(String(120))
    consent_email: Mapped[bool] = mapped_column(default=False)
    consent_phone: Mapped[bool] = mapped_column(default=False)
    # The applicant ticked the data-protection statement (required to submit).
    consent_data: Mapped[bool] = mapped_column(default=False)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[datetime | None]
    mailed_at: Mapped[datetime | None]
    confirmed_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )
