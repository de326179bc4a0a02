"""What the campaigns room gives other rooms' pages through the registry's slots: a member's
action sign-ups (their calendar feed), the campaigns an event can belong to (the event form),
organiser-record entries, the campaigns officers marked public (the public home page, active
first, never one received from another group), and the campaigns a ballot can back."""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from node.campaigns.models import Action, ActionSignup, Campaign, CampaignOrganiser
from node.campaigns.operations import my_signups
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising.items import Commitment, EventLinks, PublicCampaign, PublicListing
from node.organising.record import Entry
from node.organising.times import to_local
from node.rooms import Endorsable, EndorsableSource
from node.tenancy import group_url

PUBLIC_LIMIT = 50


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
        Entry(organiser.since, "role", _("Campaign organiser"), campaign.title)
        for organiser, campaign in db.session.execute(
            select(CampaignOrganiser, Campaign)
            .join(Campaign)
            .where(CampaignOrganiser.member_id == member.id)
        )
    ]
    return found


def public_listing(group: Group) -> PublicListing:
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.group_id == group.id,
            Campaign.public.is_(True),
            Campaign.received.is_(False),
        )
        .order_by(Campaign.status != "active", Campaign.updated_at.desc(), Campaign.id)
        .limit(PUBLIC_LIMIT)
    )
    return PublicListing(
        campaigns=[
            PublicCampaign(c.title, c.status, c.summary, tuple(c.partner_list)) for c in campaigns
        ]
    )


def _campaign(group: Group, campaign_id: int) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.group_id == group.id, Campaign.id == campaign_id)
    )


def endorsable_choices(group: Group) -> list[tuple[int, str]]:
    """The group's campaigns, its own and those received from peers: an endorsement ballot
    names one of them."""
    rows = db.session.execute(
        select(Campaign.id, Campaign.title, Campaign.received)
        .where(Campaign.group_id == group.id)
        .order_by(Campaign.title, Campaign.id)
        .limit(500)
    ).all()
    return [
        (i, f"{title} (from another group)" if received else title) for i, title, received in rows
    ]


def describe(group: Group, campaign_id: int) -> Endorsable | None:
    """The chosen campaign, as the ballot's signed statement names it."""
    campaign = _campaign(group, campaign_id)
    if campaign is None:
        return None
    return Endorsable(
        title=campaign.title,
        summary=(campaign.summary or campaign.title)[:2000],
        id_url=campaign.id_url or group_url(group, f"/campaigns/{campaign.id}"),
        origin=campaign.origin or group.url,
    )


def mark_endorsed(group: Group, campaign_id: int, when: datetime) -> None:
    """Once the ballot's decision is published."""
    campaign = _campaign(group, campaign_id)
    if campaign is not None:
        campaign.endorsed_at = when


ENDORSABLE = EndorsableSource(endorsable_choices, describe, mark_endorsed)
