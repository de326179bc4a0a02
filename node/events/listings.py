"""What the events room offers other rooms' pages: newsletter segments of who attended each past
event (``rooms.digest_sections``), and for the public home page the public events still to come
and any public event as an iCalendar file (``rooms.public_listings``)."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Select, select

from node import clock
from node.events.feeds import single_event
from node.events.models import Event, Rsvp
from node.extensions import db
from node.groups.models import Group
from node.organising.listings import PublicEvent, PublicListing, Segments

PAST_LIMIT = 200
PUBLIC_LIMIT = 50


def past_events(group: Group) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Event.id, Event.title, Event.starts_at)
        .where(Event.group_id == group.id, Event.starts_at <= clock.utcnow_naive())
        .order_by(Event.starts_at.desc())
        .limit(PAST_LIMIT)
    )
    return [(i, f"{t} ({s:%d %b %Y})") for i, t, s in rows]


def attended(group: Group, event_id: int) -> Select[int]:
    return (
        select(Rsvp.member_id)
        .join(Event, Event.id == Rsvp.event_id)
        .where(Event.group_id == group.id, Event.id == event_id, Rsvp.attended.is_(True))
    )


def segments(group: Group) -> Segments:
    return Segments("event", "Attended", partial(past_events, group), partial(attended, group))


def upcoming(group: Group) -> list[PublicEvent]:
    events = db.session.scalars(
        select(Event)
        .where(
            Event.group_id == group.id,
            Event.public.is_(True),
            Event.cancelled.is_(False),
            Event.ends_at >= clock.utcnow_naive(),
        )
        .order_by(Event.starts_at, Event.id)
        .limit(PUBLIC_LIMIT)
    )
    return [
        PublicEvent(
            e.id, e.title, e.kind, e.local_start, e.local_end, e.place, e.online_url, e.description
        )
        for e in events
    ]


def calendar_file(group: Group, event_id: int) -> bytes | None:
    event = db.session.scalar(
        select(Event).where(
            Event.group_id == group.id, Event.id == event_id, Event.public.is_(True)
        )
    )
    return None if event is None else single_event(group, event)


def listing(group: Group) -> PublicListing:
    return PublicListing(events=upcoming(group), calendar_file=partial(calendar_file, group))
