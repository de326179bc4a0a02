"""The campaigns room on the group's public home page (``rooms.public_listings``): the campaigns
officers marked public, active ones first (never one received from another group)."""

from __future__ import annotations

from sqlalchemy import select

from node.campaigns.models import Campaign
from node.extensions import db
from node.groups.models import Group
from node.organising.listings import PublicCampaign, PublicListing

LIMIT = 50


def listing(group: Group) -> PublicListing:
    campaigns = db.session.scalars(
        select(Campaign)
        .where(
            Campaign.group_id == group.id,
            Campaign.public.is_(True),
            Campaign.received.is_(False),
        )
        .order_by(Campaign.status != "active", Campaign.updated_at.desc(), Campaign.id)
        .limit(LIMIT)
    )
    return PublicListing(
        campaigns=[
            PublicCampaign(c.title, c.status, c.summary, tuple(c.partner_list)) for c in campaigns
        ]
    )
