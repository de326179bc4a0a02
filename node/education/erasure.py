"""What erasure does to the education room (see node.members.erasure): enrolments are kept,
status and dates only, so a programme's numbers stay right; they point at the nameless
placeholder."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from node.education.models import Enrolment
from node.extensions import db
from node.members.erasure import Hook, Summary, count
from node.members.models import Member


def summary(member: Member) -> Summary:
    n = count(Enrolment.member_id == member.id, table=Enrolment)
    return [
        (
            "kept",
            _("%(num)s programme enrolment(s), status and dates only, for the numbers.", num=n),
        )
    ]


def export(member: Member) -> dict[str, Any]:
    rows = db.session.scalars(select(Enrolment).where(Enrolment.member_id == member.id))
    return {"programmes": [{"programme": e.programme.title, "status": e.status} for e in rows]}


HOOK = Hook(
    room="education",
    tables={"programme_enrolments": "kept: status and dates for the numbers; no name left"},
    export=export,
    summary=summary,
)
