"""Members of a group, and the install-wide accounts they sign in with.

An :class:`Account` is a person's sign-in (e-mail + password hash), shared across the groups of an
install; a :class:`Member` is that person's record *in one group* (roles differ per group). A
member imported from CSV has no account until they accept an invitation.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.i18n import N_

# Stored as these words; shown with ``{{ _(member.role) }}`` (lower case, in sentences and lists)
# or through the capitalised labels below (a select's choices).
ROLES = (N_("member"), N_("organiser"), N_("officer"))
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
STATUSES = (N_("active"), N_("lapsed"))
ROLE_LABELS = {"member": _l("Member"), "organiser": _l("Organiser"), "officer": _l("Officer")}
STATUS_LABELS = {"active": _l("Active"), "lapsed": _l("Lapsed")}


class Account(Model):
    """A person's install-wide sign-in.

    ``email_verified_at`` is set only when someone used a token that was only ever e-mailed to
    this address (a password-reset link, a confirmation link, the mailed copy of an
    invitation) or when the hub vouched for the address: an account made from an invitation
    link an officer saw is *not* proof, because the officer could have used it. The hub's
    ``email_verified`` claim and national sign-in read it. ``session_epoch`` is stored in each
    session and bumped to sign out every session at once (password set or reset, "sign out
    everywhere"), also for accounts that have no password.
    """

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    last_sign_in: Mapped[datetime | None]
    email_verified_at: Mapped[datetime | None]
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:  # never the hash
        return f"<Account {self.id}>"


class Member(Model):
    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("group_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    # Nullable only after erasure (GDPR art. 17): the row stays so that counts remain correct.
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    ward: Mapped[str | None] = mapped_column(String(120))
    union: Mapped[str | None] = mapped_column(String(120))
    workplace: Mapped[str | None] = mapped_column(String(200))
    joined_on: Mapped[date] = mapped_column(default=clock.today)
    status: Mapped[str] = mapped_column(String(10), default="active")
    role: Mapped[str] = mapped_column(String(10), default="member")
    consent_email: Mapped[bool] = mapped_column(default=True)
    consent_phone: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)  # officers only
    erased_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    account: Mapped[Account | None] = relationship()

    def has_role(self, role: str) -> bool:
        """May this member act at ``role`` level in the group?

        What "lapsed" means: a lapsed member (dues unpaid, left, or lapsed by an officer) keeps
        their record and can still sign in and use the member pages (their profile and data,
        results, the group's diary), so that they can see what they were part of and come back.
        They lose every organiser and officer power until they are active again: their role is
        kept, but acts only while ``status`` is active. Who may *vote* is not decided here:
        each ballot freezes its electorate by its own rule (active and in good standing on the
        freeze date, node.ballots.electorate.electorate_query).
        """
        if self.erased_at is not None:
            return False
        if role != "member" and self.status != "active":
            return False
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def is_officer(self) -> bool:
        return self.has_role("officer")

    @property
    def is_organiser(self) -> bool:
        return self.has_role("organiser")

    def __repr__(self) -> str:
        return f"<Member {self.id} of group {self.group_id}>"
