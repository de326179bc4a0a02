"""What erasure does to the events room (see node.members.erasure).

Upcoming RSVPs are withdrawn (the waiting list moves up, as when a member withdraws); past ones
are kept, with status and attendance only, so attendance figures stay right. The private
calendar feed address is deleted.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, delete, select

from node import clock
from node.events import operations as ops
from node.events.models import Event, FeedToken, Rsvp
from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member


def _upcoming(member_id: int) -> Select[Rsvp]:
    return (
        select(Rsvp)
        .join(Event)
        .where(
            Rsvp.member_id == member_id,
            Rsvp.status.in_(ops.ACTIVE),
            Event.starts_at >= clock.utcnow_naive(),
        )
    )


def erase(subject: Subject) -> None:
    for rsvp in db.session.scalars(_upcoming(subject.member.id)).all():
        ops.withdraw(rsvp.event, subject.member)
    db.session.execute(delete(FeedToken).where(FeedToken.member_id == subject.member.id))


def export(member: Member) -> dict[str, Any]:
    rsvps = db.session.scalars(select(Rsvp).where(Rsvp.member_id == member.id))
    token = db.session.scalar(select(FeedToken).where(FeedToken.member_id == member.id))
    return {
        "event_rsvps": [
            {
                "event": r.event.title,
                "status": r.status,
                "attended": r.attended,
                "starts_at": r.event.starts_at.isoformat(),
            }
            for r in rsvps
        ],
        "calendar_feed": None if token is None else {"created_at": token.created_at.isoformat()},
    }


def summary(member: Member) -> Summary:
    upcoming = len(db.session.scalars(_upcoming(member.id)).all())
    total = count(Rsvp.member_id == member.id, table=Rsvp)
    return [
        (
            "deleted",
            _(
                "%(num)s upcoming event RSVP(s) (withdrawn) and their calendar feed.",
                num=upcoming,
            ),
        ),
        (
            "kept",
            _(
                "%(num)s past event RSVP(s), status and attendance only, so "
                "attendance figures stay right.",
                num=total - upcoming,
            ),
        ),
    ]


HOOK = Hook(
    room="events",
    tables={
        "event_rsvps": "upcoming withdrawn; past kept (status, attendance) for the figures",
        "event_feed_tokens": "deleted",
        "events": "kept: who created an event points at the nameless placeholder",
    },
    export=export,
    erase=erase,
    summary=summary,
)
