"""The education room's newsletter segments: the members enrolled in (or who completed) each
programme (``rooms.digest_sections``)."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Select, select

from node.education.models import Enrolment, Programme
from node.extensions import db
from node.groups.models import Group
from node.organising.listings import Segments


def programmes(group: Group) -> list[tuple[int, str]]:
    rows = db.session.execute(
        select(Programme.id, Programme.title)
        .where(Programme.group_id == group.id)
        .order_by(Programme.title)
    )
    return [(i, t) for i, t in rows]


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
        "programme", "Enrolled in", partial(programmes, group), partial(enrolled, group)
    )
