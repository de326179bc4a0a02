"""The education room's part of the organiser record: programmes completed."""

from __future__ import annotations

from sqlalchemy import select

from node.education.models import Enrolment, Programme
from node.extensions import db
from node.members.models import Member
from node.organising.record import Entry


def entries(member: Member) -> list[Entry]:
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
