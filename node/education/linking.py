"""What the education room gives other pages: the programmes an event can be a session of (the
event form), and organiser-record entries (programmes completed)."""

from __future__ import annotations

from sqlalchemy import select

from node.education.models import Enrolment, Programme
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.linking import EventLinks
from node.organising.record import Entry


def event_links(group: Group) -> EventLinks:
    programmes = db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.group_id == group.id)
        .order_by(Programme.title)
    )
    return EventLinks("programme_id", [(i, title) for i, title in programmes])


def record_entries(member: Member) -> list[Entry]:
    return [
        Entry(
            enrolment.completed_at or enrolment.enrolled_at,
            "programme",
            programme.title,
            programme.kind,
        )
        for enrolment, programme in db.session.execute(
            select(Enrolment, Programme)
            .join(Programme, Enrolment.programme_id == Programme.id)
            .where(Enrolment.member_id == member.id, Enrolment.status == "completed")
        )
    ]
