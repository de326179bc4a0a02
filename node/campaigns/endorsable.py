"""The group's campaigns as things a ballot can decide to back (the ``endorsable`` room slot).

An endorsement ballot names one of the group's campaigns, its own or one received from a peer;
the ballots room lists them for its form, describes the chosen one for the signed statement and,
once the decision is published, marks it endorsed, all through :data:`SOURCE`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from node.campaigns.models import Campaign
from node.extensions import db
from node.groups.models import Group
from node.rooms import Endorsable, EndorsableSource
from node.tenancy import group_url


def _campaign(group: Group, campaign_id: int) -> Campaign | None:
    return db.session.scalar(
        select(Campaign).where(Campaign.group_id == group.id, Campaign.id == campaign_id)
    )


def choices(group: Group) -> list[tuple[int, str]]:
    """The group's campaigns (its own and those received from peers) for the ballot form."""
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
    campaign = _campaign(group, campaign_id)
    if campaign is not None:
        campaign.endorsed_at = when


SOURCE = EndorsableSource(choices=choices, describe=describe, mark_endorsed=mark_endorsed)
