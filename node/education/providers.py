"""What the education room gives other rooms' pages through the registry's slots: the
programmes an event can be a session of (the event form), organiser-record entries (programmes
completed), and newsletter segments of the members enrolled in (or who completed) each one."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Select, select

from node.education.models import Enrolment, Programme
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member
from node.organising.items import EventLinks, Segments
from node.organising.record import Entry


def programmes(group: Group) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.group_id == group.id)
        .order_by(Programme.title)
    )
    return [(i, t) for i, t in rows]


def event_links(group: Group) -> EventLinks:
    return EventLinks("programme_id", programmes(group))


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


def enrolled(group: Group, programme_id: int) -> Select[int]:
    return (
        select(Enrolment.member_id)
        .join(Programme, Programme.id == Enrolment.programme_id)
        .where(
            Programme.group_id == group.id,
            Programme.id == programme_id,
            Enrolment.status.in_(("enrolled", "completed")),
        )
    )


def segments(group: Group) -> Segments:
    return Segments(
        "programme", N_("Enrolled in"), partial(programmes, group), partial(enrolled, group)
    )
