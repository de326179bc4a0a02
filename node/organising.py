"""The organiser ladder: what a member has done over time, so a group sees who is developing.

Read-only and computed from the rooms' own records (actions turned up to, events attended,
programmes completed, roles held); nothing is stored twice.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from node.campaigns.models import Action, ActionSignup, Campaign, CampaignOrganiser
from node.education.models import Enrolment, Programme
from node.events.models import Event, Rsvp
from node.extensions import db
from node.members.models import Member
from node.unions.models import UnionDetails

RUNGS = ("member", "turns up", "regular", "organiser", "leader")


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


def ladder(member: Member) -> Ladder:
    result = Ladder(member=member)
    entries = result.entries
    for _signup, action, campaign in db.session.execute(
        select(ActionSignup, Action, Campaign)
        .join(Action, ActionSignup.action_id == Action.id)
        .join(Campaign, Action.campaign_id == Campaign.id)
        .where(ActionSignup.member_id == member.id, ActionSignup.attended.is_(True))
    ):
        entries.append(Entry(action.starts_at, "action", action.title, campaign.title))
    for _rsvp, event in db.session.execute(
        select(Rsvp, Event)
        .join(Event, Rsvp.event_id == Event.id)
        .where(Rsvp.member_id == member.id, Rsvp.attended.is_(True))
    ):
        entries.append(Entry(event.starts_at, "event", event.title, event.kind))
    for enrolment, programme in db.session.execute(
        select(Enrolment, Programme)
        .join(Programme, Enrolment.programme_id == Programme.id)
        .where(Enrolment.member_id == member.id, Enrolment.status == "completed")
    ):
        entries.append(
            Entry(
                enrolment.completed_at or enrolment.enrolled_at,
                "programme",
                programme.title,
                programme.kind,
            )
        )
    for org, campaign in db.session.execute(
        select(CampaignOrganiser, Campaign)
        .join(Campaign)
        .where(CampaignOrganiser.member_id == member.id)
    ):
        entries.append(Entry(org.since, "role", "Campaign organiser", campaign.title))
    details = db.session.scalar(select(UnionDetails).where(UnionDetails.member_id == member.id))
    if details is not None and details.rep_role and details.rep_since:
        entries.append(
            Entry(details.rep_since, "role", details.rep_role.capitalize(), member.union or "")
        )
    if member.role != "member":
        entries.append(Entry(member.created_at, "role", f"Group {member.role}", "current role"))
    entries.sort(key=lambda e: e.at, reverse=True)
    years: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
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
