"""The events room's part of the organiser record: events attended."""

from __future__ import annotations

from sqlalchemy import select

from node.events.models import Event, Rsvp
from node.extensions import db
from node.members.models import Member
from node.organising.record import Entry


def entries(member: Member) -> list[Entry]:
    return [
        Entry(event.starts_at, "event", event.title, event.kind)
        for _rsvp, event in db.session.execute(
            select(Rsvp, Event)
            .join(Event, Rsvp.event_id == Event.id)
            .where(Rsvp.member_id == member.id, Rsvp.attended.is_(True))
        )
    ]
