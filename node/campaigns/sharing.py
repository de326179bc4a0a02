"""Endorse a campaign to peers, and receive the campaigns peers endorse.

The peering room (``node.peering``, a layer below) signs and publishes the statements and keeps
the ones received from peers.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from federation import owns_campaign
from node import clock, scheduler
from node.campaigns.models import Campaign
from node.errors import Invalid
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.peering.operations import (
    meeting_decision,
    publish_campaign_endorsement,
    received_campaign_endorsements,
)


def endorse(group: Group, campaign: Campaign, actor: Member, decided_on: str, minute: str) -> None:
    """Publish the group's endorsement (a signed statement) of a campaign, ours or a peer's.

    An endorsement is a decision of the group, so it carries the meeting date and minute.
    """
    if not minute.strip() or not decided_on:
        raise Invalid(_("Give the date of the meeting that decided it and its minute reference."))
    body = {
        "id_url": campaign.id_url,
        "title": campaign.title,
        "summary": campaign.summary or campaign.title,
        "origin": campaign.origin or group.url,
    }
    decision = meeting_decision(
        decided_on, minute.strip()[:200], f"Endorse {campaign.title}"[:1000]
    )
    publish_campaign_endorsement(group, body, decision, actor)
    campaign.endorsed_at = clock.utcnow_naive()


def _received(group: Group) -> list[dict[str, Any]]:
    items = received_campaign_endorsements(group)
    return [i for i in items if isinstance(i, dict) and not i.get("retracted")]


def endorsers(group: Group, campaign: Campaign) -> list[str]:
    """Names of peer groups whose endorsement of this campaign we received."""
    return sorted(
        {
            str(i.get("issuer_name") or i.get("issuer"))
            for i in _received(group)
            if (i.get("campaign") or {}).get("id") == campaign.id_url
        }
    )


def sync_received(group: Group) -> int:
    """Store campaigns peers endorsed (and we follow) as ``received`` campaigns; returns new ones.

    A campaign's title, summary and origin come only from the group whose campaign it is (the
    issuer at whose URL it lives, ``federation.owns_campaign``), from its newest endorsement;
    another peer's endorsement only makes the campaign known here, by its URL, until the owner's
    own arrives and takes over. So nobody can squat a campaign by being first to name its URL."""
    made = 0
    mine = group.url.rstrip("/") + "/"
    owners: dict[str, tuple[str, dict[str, Any]] | None] = {}  # id URL -> owner's newest item
    for item in _received(group):  # newest first
        data = item.get("campaign") or {}
        id_url, issuer = str(data.get("id") or ""), str(item.get("issuer") or "")
        if not id_url or len(id_url) > 500 or id_url.startswith(mine):
            continue
        if owners.get(id_url) is None and owns_campaign(issuer, id_url):
            owners[id_url] = (issuer, data)
        else:
            owners.setdefault(id_url, None)
    for id_url, owner in owners.items():
        row = db.session.scalar(
            select(Campaign).where(Campaign.group_id == group.id, Campaign.id_url == id_url)
        )
        if row is None:
            row = Campaign(group_id=group.id, id_url=id_url, received=True, title=id_url[:200])
            row.summary, row.origin = "", None
            db.session.add(row)
            made += 1
        elif not row.received:
            continue  # a campaign of our own under that URL: peers never rewrite it
        if owner is not None:
            issuer, data = owner
            row.title = str(data.get("title") or id_url)[:200]
            row.summary = str(data.get("summary") or "")[:1000]
            row.origin = issuer[:500]
    return made


def _sync(group_id: int) -> int:
    group = db.session.get(Group, group_id)
    return sync_received(group) if group is not None else 0


def sync_all() -> int:
    """Scheduler task: store received campaign endorsements for every group, each group an item
    of ``node.scheduler.each_item`` (one group's bad data never stops the others)."""
    groups = db.session.execute(select(Group.id, Group.name).order_by(Group.id)).all()
    items = [
        scheduler.Item(f"group:{gid}", gid, f"Campaigns endorsed by peers of {name}"[:200], gid)
        for gid, name in groups
    ]
    return scheduler.each_item("campaigns.sync_received", items, _sync)
