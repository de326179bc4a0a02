"""Tenant-isolation objects of the single sign-on room (see tests/node/test_isolation.py)."""

from __future__ import annotations

from node.extensions import db
from node.oidc.models import JoinRequest, NationalLink


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    account_id = people["member"].account_id
    join = JoinRequest(
        group_id=group.id,
        account_id=account_id,
        subject=f"{prefix}-sub",
        name=f"{prefix} Joiner",
        email=f"{prefix.lower()}@join.example.org",
        membership={"status": "good-standing", "groups": [f"{prefix} Branch"]},
    )
    link = NationalLink(
        group_id=group.id,
        member_id=people["member"].id,
        subject=f"{prefix}-linked",
        membership={"status": "good-standing", "groups": [f"{prefix} Ward"]},
    )
    db.session.add_all([join, link])
    db.session.commit()
    return [join.id, link.id]
