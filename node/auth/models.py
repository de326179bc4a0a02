"""One-time tokens: invitations, password resets and address confirmations. Only a hash of
each token is stored.

An invitation has two tokens: ``token_hash`` for the link the inviting officer sees (they may
hand it over in person) and ``mail_token_hash`` for the link only the e-mail carries. Only the
mailed one proves that its user reads the invited address.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model


class Invitation(Model):
    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(String(10), default="member")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    mail_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class PasswordReset(Model):
    """A mailed one-time link: ``reset`` chooses a new password; ``confirm`` confirms the
    address of the account that is signed in when it is opened (see node.auth.operations)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="reset", server_default="reset")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


class SigninLink(Model):
    """A mailed, single-use sign-in link for an *address* (not an account): the account may not
    exist yet when the link is mailed to an address on the group's roster (node.auth.links).

    ``group_id`` is the group whose site the link was asked on (None: the install's own site);
    only that group's roster record is linked when the link makes an account. ``purpose``
    ``setup`` answers a reset request for an address that has no account yet (wording only).
    """

    __tablename__ = "signin_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="signin")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]


RUN_ITEM_STATES = ("pending", "sent", "failed", "skipped")


class InvitationRun(Model):
    """ "Invite everyone without an account": one confirmed send, its recipients are the items;
    the worker mails them one by one (node.auth.bulk_invite)."""

    __tablename__ = "invitation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    total: Mapped[int] = mapped_column(default=0)


class InvitationRunItem(Model):
    """One recipient of a run and what became of it (the run's send log)."""

    __tablename__ = "invitation_run_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("invitation_runs.id", ondelete="CASCADE"), index=True
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    email: Mapped[str] = mapped_column(String(254))
    state: Mapped[str] = mapped_column(String(10), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None]
