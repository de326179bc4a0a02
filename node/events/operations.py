"""State changes for events: RSVP with a waiting list, attendance, reminders, feed tokens.

A full event puts new RSVPs on a waiting list in the order they came; when someone who was going
withdraws (or the capacity grows) the first on the list is promoted and told by e-mail.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any, cast

from flask_babel import gettext as _
from sqlalchemy import CursorResult, Select, select, update

from node import clock, timefmt
from node.audit import record
from node.errors import Conflict, Invalid
from node.events.models import KINDS, Event, FeedToken, Rsvp
from node.extensions import db
from node.forms import multi_line_problem, single_line_problem
from node.groups.models import Group
from node.members.models import Member
from node.organising import signups
from node.organising.messaging import Delivery, message_members
from node.organising.times import to_utc, valid_zone
from node.scheduler import Item, each_item
from node.tenancy import group_url

REMIND_BEFORE = timedelta(hours=24)
MAX_LENGTH = timedelta(days=14)
PAST_GRACE = timedelta(minutes=15)
ACTIVE = ("going", "waitlisted")


def event_query(group: Group, when: str = "upcoming", kind: str = "", q: str = "") -> Select[Event]:
    stmt = select(Event).where(Event.group_id == group.id)
    now = clock.utcnow_naive()
    if when == "past":
        stmt = stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id)
    else:
        stmt = stmt.where(Event.ends_at >= now, Event.cancelled.is_(False))
        stmt = stmt.order_by(Event.starts_at, Event.id)
    if kind in KINDS:
        stmt = stmt.where(Event.kind == kind)
    if q:
        stmt = stmt.where(Event.title.ilike(f"%{q.strip()}%"))
    return stmt


def _apply(event: Event, data: dict[str, Any]) -> None:
    title = (data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise Invalid(_("An event needs a title of 1 to 200 characters."))
    for what, value in (
        (_("The title: %(problem)s"), title),
        (_("The place: %(problem)s"), data.get("place") or ""),
    ):
        if problem := single_line_problem(value):
            raise Invalid(what % {"problem": problem})
    if problem := multi_line_problem(data.get("description") or ""):
        raise Invalid(_("The description: %(problem)s", problem=problem))
    kind = data.get("kind") or "meeting"
    if kind not in KINDS:
        raise Invalid(_("Unknown kind of event %(kind)s.", kind=repr(kind)))
    tz = (data.get("tz") or "Europe/London").strip()
    if not valid_zone(tz):
        raise Invalid(_("Unknown time zone %(tz)s; use a name like Europe/London.", tz=repr(tz)))
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise Invalid(_("Give a start and an end time."))
    if ends <= starts:
        message = _("The event must end after it starts.")
        raise Invalid(message, fields={"ends_at": message})
    if ends - starts > MAX_LENGTH:
        message = _("An event can last at most 14 days.")
        raise Invalid(message, fields={"ends_at": message})
    capacity = data.get("capacity")
    if capacity is not None and (not isinstance(capacity, int) or not 0 < capacity <= 100_000):
        raise Invalid(_("Capacity must be a number between 1 and 100000 (or empty: no limit)."))
    online = (data.get("online_url") or "").strip() or None
    if online and not online.startswith(("https://", "http://")):
        raise Invalid(_("The online link must start with https://"))
    event.title, event.kind, event.tz = title, kind, tz
    event.description = (data.get("description") or "").strip()[:10_000] or None
    event.starts_at, event.ends_at = to_utc(starts, tz), to_utc(ends, tz)
    event.place = (data.get("place") or "").strip()[:300] or None
    event.online_url = online[:500] if online else None
    event.capacity = capacity
    event.public = bool(data.get("public"))
    event.programme_id = data.get("programme_id") or None
    event.campaign_id = data.get("campaign_id") or None


def _refuse_past(event: Event, before: tuple[datetime, datetime] | None) -> None:
    """A new event, or one whose times are changed, may not start in the past (``PAST_GRACE``
    allows for the minutes it takes to fill in the form). An event whose times are left as they
    were can still be edited after it happened: its description, place or attendance notes."""
    if before == (event.starts_at, event.ends_at):
        return
    if event.starts_at < clock.utcnow_naive() - PAST_GRACE:
        message = _("This start time has already passed. Choose a time from now on.")
        raise Invalid(message, fields={"starts_at": message})


def create_event(group: Group, data: dict[str, Any], actor: Member) -> Event:
    event = Event(group_id=group.id, created_by=actor.id)
    _apply(event, data)
    _refuse_past(event, None)
    db.session.add(event)
    db.session.flush()
    record(group, actor, "create-event", f"event #{event.id}")
    return event


def update_event(event: Event, data: dict[str, Any], actor: Member) -> list[Rsvp]:
    old_start = event.starts_at
    before = (event.starts_at, event.ends_at)
    _apply(event, data)
    _refuse_past(event, before)
    if event.starts_at != old_start:
        event.reminder_sent_at = None
    promoted = _promote(event)
    record(event.group, actor, "edit-event", f"event #{event.id}")
    return promoted


def _when(event: Event) -> str:
    """The start as every page shows it, in the event's own zone (mail cannot hold markup)."""
    return timefmt.when(event.starts_at, event.tz, plain=True)


def cancel_event(event: Event, actor: Member) -> Delivery:
    event.cancelled = True
    group = event.group
    people = [r.member for r in event.rsvps if r.status in ACTIVE]
    delivery = message_members(
        group,
        people,
        _("Cancelled: %(title)s", title=event.title),
        _("Sorry: %(title)s on %(when)s is cancelled.", title=event.title, when=_when(event)),
        "event",
    )
    record(group, actor, "cancel-event", f"event #{event.id}")
    return delivery


def rsvp(event: Event, member: Member) -> Rsvp:
    """Say 'I'm going': a place if there is one, otherwise the end of the waiting list."""
    if event.cancelled:
        raise Conflict(_("This event is cancelled."))
    if event.ends_at < clock.utcnow_naive():
        raise Conflict(_("This event is over."))
    existing = signups.place_of(event.rsvps, member.id)
    if existing is not None and existing.status in ACTIVE:
        return existing
    full = event.capacity is not None and len(event.going) >= event.capacity
    place = signups.join(
        event.rsvps,
        member,
        lambda: Rsvp(group_id=event.group_id, member_id=member.id, member=member, status="going"),
    )
    place.status = "waitlisted" if full else "going"
    place.queued_at = clock.utcnow_naive()
    return place


def withdraw(event: Event, member: Member) -> list[Rsvp]:
    """Withdraw; returns whoever was promoted from the waiting list into the freed place."""
    signups.withdraw(
        event.rsvps, member, ACTIVE, _("You have not said you are coming to this event.")
    )
    db.session.flush()
    return _promote(event)


def _promote(event: Event) -> list[Rsvp]:
    promoted: list[Rsvp] = []
    while event.waitlist and (event.capacity is None or len(event.going) < event.capacity):
        nxt = event.waitlist[0]
        nxt.status = "going"
        promoted.append(nxt)
    if promoted:
        group = event.group
        message_members(
            group,
            [r.member for r in promoted],
            _("A place for you: %(title)s", title=event.title),
            _(
                "Good news: a place came free and you are now going to %(title)s on %(when)s.\n\n"
                "If you can no longer come, please withdraw so the next person gets your place:\n"
                "%(link)s",
                title=event.title,
                when=_when(event),
                link=group_url(group, f"/events/{event.id}"),
            ),
            "event",
        )
    return promoted


def record_attendance(event: Event, attended: set[int], actor: Member) -> None:
    signups.record_attendance(
        event.rsvps,
        event.group_id,
        attended,
        lambda member_id: Rsvp(group_id=event.group_id, member_id=member_id, status="going"),
    )
    record(
        event.group, actor, "record-attendance", f"event #{event.id}", f"{len(attended)} attended"
    )


def due_reminders(now: datetime) -> list[Item[int]]:
    """One scheduler item per event starting within the next 24 hours whose reminder is due."""
    rows = db.session.execute(
        select(Event.id, Event.group_id, Event.title)
        .where(
            Event.cancelled.is_(False),
            Event.reminder_sent_at.is_(None),
            Event.starts_at > now,
            Event.starts_at <= now + REMIND_BEFORE,
        )
        .order_by(Event.id)
    ).all()
    return [
        Item(f"event-{i}-reminder", group_id, f"Reminding those going to event #{i} “{title}”", i)
        for i, group_id, title in rows
    ]


def send_reminder(event_id: int) -> int:
    """Claim the event's reminder (so two workers never both send it), then mail everyone going.

    One transaction: if sending raises, the claim is rolled back and the scheduler retries."""
    now = clock.utcnow_naive()
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(Event)
            .where(Event.id == event_id, Event.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    event = db.session.get(Event, event_id)
    if claimed.rowcount != 1 or event is None:
        db.session.rollback()
        return 0
    group = event.group
    where = event.place or event.online_url or _("see the event page")
    message_members(
        group,
        [r.member for r in event.going],
        _("Reminder: %(title)s", title=event.title),
        _(
            "A reminder that you are going to %(title)s.\n\n"
            "When: %(when)s\nWhere: %(where)s\n\n"
            "Can't make it? Withdraw here so someone on the waiting list gets your place:\n"
            "%(link)s",
            title=event.title,
            when=_when(event),
            where=where,
            link=group_url(group, f"/events/{event.id}"),
        ),
        "reminder",
    )
    db.session.commit()
    return 1


def send_due_reminders() -> int:
    """Scheduler task: remind everyone going to an event that starts within the next 24 hours;
    one event per transaction, and one event's failure (recorded, retried, shown to its
    officers) never stops another group's reminders."""
    return each_item("events.reminders", due_reminders(clock.utcnow_naive()), send_reminder)


def feed_token(member: Member, regenerate: bool = False) -> FeedToken:
    token = db.session.scalar(select(FeedToken).where(FeedToken.member_id == member.id))
    if token is None:
        token = FeedToken(group_id=member.group_id, member_id=member.id)
        db.session.add(token)
    if regenerate or not token.token:
        token.token = secrets.token_urlsafe(32)
        token.created_at = clock.utcnow_naive()
    return token


def revoke_feed(member: Member) -> None:
    token = db.session.scalar(select(FeedToken).where(FeedToken.member_id == member.id))
    if token is not None:
        db.session.delete(token)


def member_for_feed(group: Group, token: str) -> Member | None:
    if not token or len(token) > 64:
        return None
    row = db.session.scalar(
        select(FeedToken).where(FeedToken.group_id == group.id, FeedToken.token == token)
    )
    if row is None:
        return None
    member = db.session.get(Member, row.member_id)
    return member if member is not None and member.erased_at is None else None


def my_rsvps(member: Member, since: datetime | None = None) -> list[Rsvp]:
    """The member's RSVPs (going or waiting) for events not over by ``since`` (default: now)."""
    return list(
        db.session.scalars(
            select(Rsvp)
            .join(Event)
            .where(
                Rsvp.member_id == member.id,
                Rsvp.status.in_(ACTIVE),
                Event.ends_at >= (since or clock.utcnow_naive()),
                Event.cancelled.is_(False),
            )
            .order_by(Event.starts_at)
        )
    )


def rsvps_table(event: Event) -> list[list[Any]]:
    return signups.signups_table(event.rsvps, "since", lambda r: r.queued_at)


def events_table(group: Group, when: str) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "id",
            "title",
            "kind",
            "starts (local)",
            "time zone",
            "place",
            "capacity",
            "going",
            "waiting",
            "attended",
            "public",
        ]
    ]
    rows += [
        [
            e.id,
            e.title,
            e.kind,
            e.local_start.strftime("%Y-%m-%d %H:%M"),
            e.tz,
            e.place or e.online_url or "",
            e.capacity or "",
            len(e.going),
            len(e.waitlist),
            sum(1 for r in e.rsvps if r.attended),
            e.public,
        ]
        for e in db.session.scalars(event_query(group, when))
    ]
    return rows
