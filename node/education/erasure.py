"""What erasure does to the education room (see node.members.erasure): enrolments are kept,
status and dates only, so a programme's numbers stay right; they point at the nameless
placeholder."""

from __future__ import annotations

from typing import Any

from node.members.erasure import Hook, Summary, count
from node.members.models import Member


def summary(member: Member) -> Summary:
    from node.education.models import Enrolment

    n = count(Enrolment.member_id == member.id, table=Enrolment)
    return [("kept", f"{n} programme enrolment(s), status and dates only, for the numbers.")]


def export(member: Member) -> dict[str, Any]:
    from node.education.operations import enrolments_section

    return enrolments_section(member)


HOOK = Hook(
    room="education",
    tables={"programme_enrolments": "kept: status and dates for the numbers; no name left"},
    export=export,
    summary=summary,
)
