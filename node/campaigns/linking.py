"""What the campaigns room gives other pages: a member's action sign-ups (their calendar
feed), the campaigns an event can belong to (the event form), and organiser-record entries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from node.campaigns.models import Action, ActionSignup, Campaign, CampaignOrganiser
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.linking import Commitment, EventLinks
from node.organising.record import Entry
from node.organising.times import to_local

MAX_ITEMS = 500


def commitments(member: Member, since: datetime) -> list[Commitment]:
    actions = db.session.scalars(
        select(Action)
        .join(ActionSignup)
        .where(
            ActionSignup.member_id == member.id,
            ActionSignup.status == "signed_up",
            Action.starts_at >= since,
        )
        .order_by(Action.starts_at)
        .limit(MAX_ITEMS)
    )
    return [
        Commitment(
            kind="action",
            id=action.id,
            title=action.title,
            local_start=to_local(action.starts_at),
            status="signed_up",
            page=f"/campaigns/{action.campaign_id}",
            created_at=action.created_at,
            place=action.place,
            is_deadline=action.is_deadline,
        )
        for action in actions
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
