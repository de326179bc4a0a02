"""iCalendar feeds that phones subscribe to: a group's public events, and a member's own calendar.

Times are written in the event's own zone (``DTSTART;TZID=Europe/London``) with a matching
VTIMEZONE, so a subscriber in another zone still sees the right moment and the event keeps its
wall-clock time across daylight-saving changes.
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from node import clock
from node.events.models import Event, Rsvp
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.items import commitments
from node.tenancy import group_url

if TYPE_CHECKING:  # imported by the feeds themselves: ~40 ms of every process's start otherwise
    from icalendar import Calendar
    from icalendar import Event as VEvent

HISTORY = timedelta(days=90)
MAX_EVENTS = 500


def _calendar(group: Group, name: str) -> Calendar:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Commonground//commonground//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    return cal


def _host(group: Group) -> str:
    return group.host or "commonground"


def _vevent(group: Group, event: Event, status: str | None = None) -> VEvent:
    from icalendar import Event as VEvent

    item = VEvent()
    item.add("uid", f"event-{event.id}@{_host(group)}")
    item.add("dtstamp", event.updated_at.replace(tzinfo=UTC))
    item.add("dtstart", event.local_start)
    item.add("dtend", event.local_end)
    item.add("summary", event.title if status is None else f"{event.title} ({status})")
    if event.description:
        item.add("description", event.description)
    location = event.place or event.online_url
    if location:
        item.add("location", location)
    item.add("url", group_url(group, f"/events/{event.id}"))
    item.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    return item


def _finish(cal: Calendar) -> bytes:
    cal.add_missing_timezones()
    return cal.to_ical()


def single_event(group: Group, event: Event) -> bytes:
    """One event as its own calendar file ("add to calendar"), built as the feeds build theirs."""
    cal = _calendar(group, group.name)
    cal.add_component(_vevent(group, event))
    return _finish(cal)


def public_feed(group: Group) -> bytes:
    cal = _calendar(group, f"{group.name} — public events")
    since = clock.utcnow_naive() - HISTORY
    events = db.session.scalars(
        select(Event)
        .where(Event.group_id == group.id, Event.public.is_(True), Event.ends_at >= since)
        .order_by(Event.starts_at)
        .limit(MAX_EVENTS)
    )
    for event in events:
        cal.add_component(_vevent(group, event))
    return _finish(cal)


def member_feed(group: Group, member: Member) -> bytes:
    """Every event of the group (with the member's RSVP marked) and their other commitments
    (action sign-ups)."""
    from icalendar import Event as VEvent

    cal = _calendar(group, f"{group.name} — my calendar")
    since = clock.utcnow_naive() - HISTORY
    mine = {
        r.event_id: r.status
        for r in db.session.scalars(select(Rsvp).where(Rsvp.member_id == member.id))
    }
    events = db.session.scalars(
        select(Event)
        .where(Event.group_id == group.id, Event.ends_at >= since)
        .order_by(Event.starts_at)
        .limit(MAX_EVENTS)
    )
    labels = {"going": "going", "waitlisted": "waiting list"}
    for event in events:
        cal.add_component(_vevent(group, event, labels.get(mine.get(event.id, ""))))
    for action in commitments(member, since, "action")[:MAX_EVENTS]:
        item = VEvent()
        item.add("uid", f"action-{action.id}@{_host(group)}")
        item.add("dtstamp", action.created_at.replace(tzinfo=UTC))
        if action.is_deadline:
            item.add("dtstart", action.local_start.date())
            item.add("summary", f"Deadline: {action.title}")
        else:
            item.add("dtstart", action.local_start)
            item.add("dtend", action.local_start + timedelta(hours=2))
            item.add("summary", action.title)
        if action.place:
            item.add("location", action.place)
        item.add("url", group_url(group, action.page))
        cal.add_component(item)
    return _finish(cal)
