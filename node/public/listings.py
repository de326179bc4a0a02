"""What the public home page lists: only what officers marked public, or already published.

Events and campaigns carry their own ``public`` flag (ticked on their forms). Endorsements are the
group's own signed statements already in its public outbox (``/federation/outbox``), not
retracted: the page shows nothing the outbox does not already give to anyone who asks. Nothing
here reads the roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from node import clock
from node.campaigns.models import Campaign
from node.events.models import Event
from node.extensions import db
from node.groups.models import Group

LIMIT = 50
ENDORSEMENT_TYPES = ("candidate-endorsement", "campaign-endorsement")


def upcoming_events(group: Group) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.group_id == group.id,
                Event.public.is_(True),
                Event.cancelled.is_(False),
                Event.ends_at >= clock.utcnow_naive(),
            )
            .order_by(Event.starts_at, Event.id)
            .limit(LIMIT)
        )
    )


def public_event(group: Group, event_id: int) -> Event | None:
    return db.session.scalar(
        select(Event).where(
            Event.group_id == group.id, Event.id == event_id, Event.public.is_(True)
        )
    )


def campaigns(group: Group) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .where(
                Campaign.group_id == group.id,
                Campaign.public.is_(True),
                Campaign.received.is_(False),
            )
            .order_by(Campaign.status != "active", Campaign.updated_at.desc(), Campaign.id)
            .limit(LIMIT)
        )
    )


@dataclass
class Endorsement:
    kind: str  # "candidate" | "campaign"
    title: str
    detail: str
    issued: Any


def endorsements(group: Group) -> list[Endorsement]:
    from node.peering.models import Statement as statement

    rows = db.session.scalars(
        select(statement)
        .where(
            statement.group_id == group.id,
            statement.issuer == group.url,
            statement.type.in_(ENDORSEMENT_TYPES),
            statement.retracted_by.is_(None),
        )
        .order_by(statement.seq.desc())
        .limit(LIMIT)
    )
    found = []
    for row in rows:
        body = row.body
        if row.type == "candidate-endorsement":
            found.append(
                Endorsement(
                    "candidate",
                    str(body.get("candidate", "")),
                    f"{body.get('office', '')}, {body.get('area', '')} "
                    f"(election {body.get('election_date', '')})",
                    row.issued_at,
                )
            )
        else:
            campaign = body.get("campaign") or {}
            found.append(
                Endorsement(
                    "campaign",
                    str(campaign.get("title", "")),
                    str(campaign.get("summary", "")),
                    row.issued_at,
                )
            )
    return found
