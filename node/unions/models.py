"""What the member record does not hold about a member's union life: sector and rep/steward role.

Kept in this room's own table (one row per member, created when first needed) rather than new
columns on ``members``, which belongs to the foundation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model
from node.i18n import N_
from node.members.models import Member

REP_ROLES = (
    "",
    N_("workplace rep"),
    N_("shop steward"),
    N_("health and safety rep"),
    N_("learning rep"),
    N_("branch officer"),
)
# How a role reads in the form's list; pages show the stored role through ``{{ _(role) }}``.
REP_ROLE_LABELS = {
    "": N_("No"),
    "workplace rep": N_("Workplace rep"),
    "shop steward": N_("Shop steward"),
    "health and safety rep": N_("Health and safety rep"),
    "learning rep": N_("Learning rep"),
    "branch officer": N_("Branch officer"),
}


class UnionDetails(Model):
    __tablename__ = "member_union_details"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    sector: Mapped[str | None] = mapped_column(String(120))
    rep_role: Mapped[str | None] = mapped_column(String(60))
    rep_since: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    member: Mapped[Member] = relationship("node.members.models.Member")

    @property
    def is_rep(self) -> bool:
        return bool(self.rep_role)
