"""Demo content for ``commonground demo``: a motion to endorse the library campaign, seconded,
with an amendment and a short discussion."""

from __future__ import annotations

import random

from sqlalchemy import select

from node.campaigns.models import Campaign
from node.extensions import db
from node.groups.models import Group
from node.motions import amending
from node.motions import operations as ops
from node.organising.demo import people

TEXT = (
    "This group backs the campaign to **save Everton Library**.\n\n"
    "We will ask the council to keep the library open five days a week "
    "and ask every member to sign the petition."
)


def seed(group: Group, rng: random.Random) -> None:
    members, officer = people(group)
    others = [m for m in members if m.id != officer.id and m.status == "active"]
    if len(others) < 4:
        return
    mover, first, second, critic = rng.sample(others, 4)
    campaign_id = db.session.scalar(
        select(Campaign.id).where(Campaign.group_id == group.id, Campaign.received.is_(False))
    )
    motion = ops.propose(
        group, ops.Proposal("Back the Save Everton Library campaign", TEXT, campaign_id), mover
    )
    ops.second(motion, first)
    ops.second(motion, second)
    opening = ops.post(
        motion, "The library is the only warm space on Heyworth Street. Count me in.", first
    )
    ops.post(
        motion,
        "Agreed, but five days is a big ask. Shall we say *at least* four?",
        critic,
        opening.id,
    )
    amending.propose_amendment(
        motion,
        TEXT.replace("five days a week", "at least five days a week, with paid staff"),
        "Volunteers must not replace paid library staff.",
        critic,
    )
    db.session.flush()
