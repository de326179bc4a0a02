"""What the events room shows on other rooms' pages: the events a member is going to (their
commitments page), and the events of a campaign or programme with who attended them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from node.events.models import Event
from node.events.operations import my_rsvps
from node.extensions import db
from node.members.models import Member
from node.organising.linking import Commitment, LinkedEvent

COLUMNS = {"campaign_id": Event.campaign_id, "programme_id": Event.programme_id}


def commitments(member: Member, since: datetime) -> list[Commitment]:
    return [
        Commitment(
            kind="event",
            id=r.event.id,
            title=r.event.title,
            starts_at=r.event.starts_at,
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
