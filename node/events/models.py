"""Events, RSVPs (with a waiting list) and members' private calendar-feed tokens.

Times are stored as naive UTC with the event's IANA time-zone name beside them, so an event keeps
its wall-clock time across a daylight-saving change and the feeds can carry a proper VTIMEZONE.
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
from node.organising.times import DEFAULT_TZ, to_local

KINDS = (N_("meeting"), N_("social"), N_("picket"), N_("education"), N_("other"))
# How a kind reads in the form's list; pages show the stored kind through ``{{ _(kind) }}``.
KIND_LABELS = {
    "meeting": N_("Meeting"),
    "social": N_("Social"),
    "picket": N_("Picket"),
    "education": N_("Education"),
    "other": N_("Other"),
}
RSVP_STATUSES = (N_("going"), N_("waitlisted"), N_("withdrawn"))


class Event(Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    group: Mapped[Group] = relationship("node.groups.models.Group")
    kind: Mapped[str] = mapped_column(String(20), default="meeting")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(index=True)  # naive UTC
    ends_at: Mapped[datetime]  # naive UTC
    tz: Mapped[str] = mapped_column(String(64), default=DEFAULT_TZ)
    place: Mapped[str | None] = mapped_column(String(300))
    online_url: Mapped[str | None] = mapped_column(String(500))
    capacity: Mapped[int | None]
    public: Mapped[bool] = mapped_column(default=False)
    cancelled: Mapped[bool] = mapped_column(default=False)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL"), index=True
    )
    programme_id: Mapped[int | None] = mapped_column(
        ForeignKey("programmes.id", ondelete="SET NULL"), index=True
    )
    reminder_sent_at: Mapped[datetime | None]
    created_by: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    rsvps: Mapped[list[Rsvp]] = relationship(
        "Rsvp", back_populates="event", cascade="all, delete-orphan", order_by=lambda: Rsvp.id
    )

    @property
    def local_start(self) -> datetime:
        return to_local(self.starts_at, self.tz)

    @property
    def local_end(self) -> datetime:
        return to_local(self.ends_at, self.tz)

    @property
    def going(self) -> list[Rsvp]:
        return [r for r in self.rsvps if r.status == "going"]

    @property
    def waitlist(self) -> list[Rsvp]:
        return sorted(
            (r for r in self.rsvps if r.status == "waitlisted"), key=lambda r: (r.queued_at, r.id)
        )

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - len(self.going), 0)


class Rsvp(Model):
    __tablename__ = "event_rsvps"
    __table_args__ = (UniqueConstraint("event_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(12))
    queued_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    attended: Mapped[bool | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    updated_at: Mapped[datetime] = mapped_column(
        default=clock.utcnow_naive, onupdate=clock.utcnow_naive
    )

    event: Mapped[Event] = relationship("Event", back_populates="rsvps")
    member: Mapped[Member] = relationship("node.members.models.Member")


class FeedToken(Model):
    """A member's private iCalendar feed address; regenerating it revokes the old one.

    The token is kept in clear because the member is shown the address again on every visit
    (as calendar services do); it grants read-only access to one member's own calendar.
    """

    __tablename__ = "event_feed_tokens"
    __table_args__ = (UniqueConstraint("member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
