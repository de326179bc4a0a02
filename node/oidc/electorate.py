"""The ballots room's hook: "in good standing nationally on the freeze date".

The ballots engineer plugs it into ``node.ballots.operations.electorate_query`` for a ballot that
requires it, e.g.::

    if ballot.requires_national_good_standing:
        stmt = stmt.where(Member.id.in_(national_good_standing_ids(group_id, ballot.freeze_on)))
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from node.extensions import db
from node.members.models import Member
from node.oidc.client import national_good_standing
from node.oidc.models import NationalLink

__all__ = ["national_good_standing", "national_good_standing_ids"]


def national_good_standing_ids(group_id: int, on_date: date) -> list[int]:
    """Ids of the group's members the hub vouched for as in good standing on ``on_date``."""
    members = db.session.scalars(
        select(Member)
        .join(NationalLink, NationalLink.member_id == Member.id)
        .where(Member.group_id == group_id, Member.erased_at.is_(None))
    )
    return [m.id for m in members if national_good_standing(m, on_date)]
