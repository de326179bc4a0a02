"""Programmes (a reading group, councillor training, leadership development), their materials and
who is enrolled. Sessions are ordinary events with ``programme_id`` set, so RSVPs, reminders,
feeds and attendance work the same way for them.
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

KINDS = (
    N_("reading group"),
    N_("councillor training"),
    N_("leadership development"),
    N_("other"),
)
# How a kind reads in the form's list; pages show the stored kind through ``{{ _(kind) }}``.
KIND_LABELS = {
    "reading group": N_("Reading group"),
    "councillor training": N_("Councillor training"),
    "leadership development": N_("Leadership development"),
    "other": N_("Other"),
}
ENROLMENT_STATUSES = (N_("enrolled"), N_("completed"), N_("withdrawn"))


class Programme(Model):
    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    group: Mapped[Group] = relationship("node.groups.models.Group")
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    materials: Mapped[list[Material]] = relationship(
        "Material",
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by=lambda: Material.id,
    )
    enrolments: Mapped[list[Enrolment]] = relationship(
        "Enrolment",
        back_populates="programme",
        cascade="all, delete-orphan",
        order_by=lambda: Enrolment.id,
    )


class Material(Model):
    __tablename__ = "programme_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))

    programme: Mapped[Programme] = relationship("Programme", back_populates="materials")


class Enrolment(Model):
    __tablename__ = "programme_enrolments"
    __table_args__ = (UniqueConstraint("programme_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int] = mapped_column(
        ForeignKey("programmes.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="enrolled")
    enrolled_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    completed_at: Mapped[datetime | None]

    programme: Mapped[Programme] = relationship("Programme", back_populates="enrolments")
    member: Mapped[Member] = relationship("node.members.models.Member")
