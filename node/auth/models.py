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
from node.extensions import db


class Invitation(db.Model):
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


PURPOSES = ("reset", "confirm")


class PasswordReset(db.Model):
    """A mailed one-time link: ``reset`` chooses a new password; ``confirm`` confirms the
    address of the account that is signed in when it is opened (see node.auth.operations)."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(10), default="reset", server_default="reset")
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
