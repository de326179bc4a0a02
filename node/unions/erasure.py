"""What erasure does to the unions room (see node.members.erasure): the member's union details
(sector, rep role) are trade-union membership data, special category under UK GDPR art. 9, and
are deleted."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete

from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.unions.models import UnionDetails
from node.unions.operations import details_for


def erase(subject: Subject) -> None:
    db.session.execute(delete(UnionDetails).where(UnionDetails.member_id == subject.member.id))


def summary(member: Member) -> Summary:
    n = count(UnionDetails.member_id == member.id, table=UnionDetails)
    if not n:
        return []
    return [("deleted", _("Their union details (%(num)s record(s): sector, rep role).", num=n))]


def export(member: Member) -> dict[str, Any]:
    d = details_for(member)
    return {"union_details": None if d is None else {"sector": d.sector, "rep_role": d.rep_role}}


HOOK = Hook(
    room="unions",
    tables={"member_union_details": "deleted"},
    export=export,
    erase=erase,
    summary=summary,
)
