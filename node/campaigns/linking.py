"""What the campaigns room gives other pages: a member's action sign-ups (their calendar
feed), the campaigns an event can belong to (the event form), and organiser-record entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from node.campaigns.models import Action, ActionSignup, Campaign, CampaignOrganiser
from node.campaigns.operations import my_signups
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.linking import Commitment, EventLinks
from node.organising.record import Entry
from node.organising.times import to_local


def commitments(member: Member, since: datetime) -> list[Commitment]:
    return [
        Commitment(
            kind="action",
            id=s.action.id,
            title=s.action.title,
            local_start=to_local(s.action.starts_at),
            status=s.status,
            page=f"/campaigns/{s.action.campaign_id}",
            created_at=s.action.created_at,
            place=s.action.place,
            is_deadline=s.action.is_deadline,
        )
        for s in my_signups(member, since)
    ]


def event_links(group: Group) -> EventLinks:
    campaigns = db.session.execute(
        select(Campaign.id, Campaign.title)
        .where(Campaign.group_id == group.id, Campaign.received.is_(False))
        .order_by(Campaign.title)
    )
    return EventLinks("campaign_id", [(i, title) for i, title in campaigns])


def record_entries(member: Member) -> list[Entry]:
    found = [
        Entry(action.starts_at, "action", action.title, campaign.title)
        for _signup, action, campaign in db.session.execute(
            select(ActionSignup, Action, Campaign)
            .join(Action, ActionSignup.action_id == Action.id)
            .join(Campaign, Action.campaign_id == Campaign.id)
            .where(ActionSignup.member_id == member.id, ActionSignup.attended.is_(True))
        )
    ]
    found += [
        Entry(organiser.since, "role", "Campaign organiser", campaign.title)
        for organiser, campaign in db.session.execute(
            select(CampaignOrganiser, Campaign)
            .join(Campaign)
            .where(CampaignOrganiser.member_id == member.id)
        )
    ]
    return found
