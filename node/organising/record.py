"""The organiser ladder: what a member has done over time, so a group sees who is developing.

Read-only and computed from the rooms' own records (actions turned up to, events attended,
programmes completed, roles held): each room registers a provider in ``rooms.record_entries``
that returns a member's :class:`Entry` items; nothing is stored twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _

from node.members.models import Member
from node.rooms import rooms_of

KINDS = ("action", "event", "programme", "role")


@dataclass
class Entry:
    at: datetime
    kind: str  # action | event | programme | role
    label: str
    detail: str = ""


@dataclass
class Ladder:
    member: Member
    entries: list[Entry] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    by_year: list[tuple[int, dict[str, int]]] = field(default_factory=list)
    rung: str = "member"


def entries_of(member: Member) -> list[Entry]:
    """Every room's entries, then the member's role in the group; newest first (at the same
    moment: actions, events, programmes, then roles)."""
    entries: list[Entry] = [e for provider in rooms_of().record_entries for e in provider(member)]
    if member.role != "member":
        entries.append(
            Entry(
                member.created_at,
                "role",
                _("Group %(role)s", role=member.role),
                _("current role"),
            )
        )
    entries.sort(key=lambda e: KINDS.index(e.kind))
    entries.sort(key=lambda e: e.at, reverse=True)
    return entries


def ladder(member: Member) -> Ladder:
    result = Ladder(member=member, entries=entries_of(member))
    years: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in result.entries:
        years[e.at.year][e.kind] += 1
        result.counts[e.kind] = result.counts.get(e.kind, 0) + 1
    result.by_year = sorted(((y, dict(c)) for y, c in years.items()), reverse=True)
    turned_up = result.counts.get("action", 0) + result.counts.get("event", 0)
    roles = result.counts.get("role", 0)
    if roles and result.counts.get("programme", 0):
        result.rung = "leader"
    elif roles:
        result.rung = "organiser"
    elif turned_up >= 5:
        result.rung = "regular"
    elif turned_up:
        result.rung = "turns up"
    return result
