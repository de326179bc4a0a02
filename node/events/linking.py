"""What the events room gives other pages: the events a member is going to (their commitments
page), the events of a campaign or programme with who attended, and organiser-record entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from node.events.models import Event, Rsvp
from node.events.operations import my_rsvps
from node.extensions import db
from node.members.models import Member
from node.organising.linking import Commitment, LinkedEvent
from node.organising.record import Entry

COLUMNS = {"campaign_id": Event.campaign_id, "programme_id": Event.programme_id}


def commitments(member: Member, since: datetime) -> list[Commitment]:
    return [
        Commitment(
            kind="event",
            id=r.event.id,
            title=r.event.title,
            local_start=r.event.local_start,
            status=r.status,
            page=f"/events/{r.event.id}",
            created_at=r.event.created_at,
            place=r.event.place or r.event.online_url,
        )
        for r in my_rsvps(member, since)
    ]


def linked_events(group_id: int, column: str, item_id: int) -> list[LinkedEvent]:
    if column not in COLUMNS:
        return []
    events = db.session.scalars(
        select(Event)
        .where(Event.group_id == group_id, COLUMNS[column] == item_id)
        .order_by(Event.starts_at)
    )
    return [
        LinkedEvent(
            id=e.id,
            title=e.title,
            local_start=e.local_start,
            place=e.place,
            attended=frozenset(r.member_id for r in e.rsvps if r.attended),
        )
        for e in events
    ]


def record_entries(member: Member) -> list[Entry]:
    return [
        Entry(event.starts_at, "event", event.title, event.kind)
        for _rsvp, event in db.session.execute(
            select(Rsvp, Event)
            .join(Event, Rsvp.event_id == Event.id)
            .where(Rsvp.member_id == member.id, Rsvp.attended.is_(True))
        )
    ]
