"""What the unions room gives other rooms' pages: organiser-record entries (a rep or steward)."""

from __future__ import annotations

from node.members.models import Member
from node.organising.record import Entry
from node.unions.operations import details_for


def record_entries(member: Member) -> list[Entry]:
    details = details_for(member)
    if details is None or not details.rep_role or not details.rep_since:
        return []
    return [Entry(details.rep_since, "role", details.rep_role.capitalize(), member.union or "")]
