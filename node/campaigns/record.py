"""The campaigns room's part of the organiser record: actions turned up to, campaigns organised."""

from __future__ import annotations

from sqlalchemy import select

from node.campaigns.models import Action, ActionSignup, Campaign, CampaignOrganiser
from node.extensions import db
from node.members.models import Member
from node.organising.record import Entry


def entries(member: Member) -> list[Entry]:
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
