"""What the events room gives other rooms' pages through the registry's slots: the events a
member is going to (their commitments page), the events of a campaign or programme with who
attended, organiser-record entries, newsletter segments of who attended each past event, and for
the public home page the public events still to come and any public event as an iCalendar file."""

from __future__ import annotations

from datetime import datetime
from functools import partial

from sqlalchemy import Select, select

from node import clock
from node.events.feeds import single_event
from node.events.models import Event, Rsvp
from node.events.operations import my_rsvps
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member
from node.organising.items import Commitment, LinkedEvent, PublicEvent, PublicListing, Segments
from node.organising.record import Entry

COLUMNS = {"campaign_id": Event.campaign_id, "programme_id": Event.programme_id}
PAST_LIMIT = 200
PUBLIC_LIMIT = 50


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
    return Segments("event", N_("Attended"), partial(past_events, group), partial(attended, group))


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


def public_listing(group: Group) -> PublicListing:
    return PublicListing(events=upcoming(group), calendar_file=partial(calendar_file, group))
