"""What the organising rooms' demo seeds share: the demo group's people, and days to come."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member


def at(days: int, hour: int) -> datetime:
    """``hour`` o'clock ``days`` from today."""
    day = clock.today() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, 0)


def people(group: Group) -> tuple[Sequence[Member], Member]:
    """The group's members in the order they were made, and its officer."""
    members = db.session.scalars(
        select(Member).where(Member.group_id == group.id).order_by(Member.id)
    ).all()
    return members, next(m for m in members if m.role == "officer")
