"""What the unions room gives other rooms' pages: organiser-record entries (a rep or steward)."""

from __future__ import annotations

from flask_babel import gettext as _

from node.members.models import Member
from node.organising.record import Entry
from node.unions.models import REP_ROLE_LABELS
from node.unions.operations import details_for


def record_entries(member: Member) -> list[Entry]:
    details = details_for(member)
    if details is None or not details.rep_role or not details.rep_since:
        return []
    label = REP_ROLE_LABELS.get(details.rep_role) or details.rep_role.capitalize()
    return [Entry(details.rep_since, "role", _(label), member.union or "")]
