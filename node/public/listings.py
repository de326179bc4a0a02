"""What the public home page lists: only what officers marked public, or already published.

Events and campaigns carry their own ``public`` flag (ticked on their forms); the rooms that keep
them list them through ``rooms.public_listings``. Endorsements are the group's own signed
statements already in its public outbox (``/federation/outbox``), not retracted: the page shows
nothing the outbox does not already give to anyone who asks. Nothing here reads the roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.groups.models import Group
from node.organising.items import PublicListing
from node.peering.models import Statement
from node.rooms import rooms_of

LIMIT = 50
ENDORSEMENT_TYPES = ("candidate-endorsement", "campaign-endorsement")


def room_listings(group: Group) -> list[PublicListing]:
    return [provider(group) for provider in rooms_of().public_listings]


def calendar_file(group: Group, event_id: int) -> bytes | None:
    """One public event of ``group`` as an iCalendar file, or None when it has no such event."""
    for listing in room_listings(group):
        found = listing.calendar_file(event_id) if listing.calendar_file else None
        if found is not None:
            return found
    return None


@dataclass
class Endorsement:
    kind: str  # "candidate" | "campaign"
    title: str
    detail: str
    issued: datetime


def endorsements(group: Group) -> list[Endorsement]:
    rows = db.session.scalars(
        select(Statement)
        .where(
            Statement.group_id == group.id,
            Statement.issuer == group.url,
            Statement.type.in_(ENDORSEMENT_TYPES),
            Statement.retracted_by.is_(None),
        )
        .order_by(Statement.seq.desc())
        .limit(LIMIT)
    )
    found = []
    for row in rows:
        body = row.body
        if row.type == "candidate-endorsement":
            kind, title = "candidate", str(body.get("candidate", ""))
            detail = _(
                "%(office)s, %(area)s (election %(date)s)",
                office=body.get("office", ""),
                area=body.get("area", ""),
                date=body.get("election_date", ""),
            )
        else:
            campaign = body.get("campaign") or {}
            kind, title = "campaign", str(campaign.get("title", ""))
            detail = str(campaign.get("summary", ""))
        found.append(Endorsement(kind, title, detail, row.issued_at))
    return found
