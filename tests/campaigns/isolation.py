"""Campaigns, actions and sign-ups of one group, for the tenant-isolation walk."""

from __future__ import annotations

from datetime import datetime, timedelta


def populate(group, prefix, people):  # type: ignore[no-untyped-def]
    from node import clock
    from node.campaigns import operations as ops
    from node.extensions import db

    officer = people["officer"]
    campaign = ops.create_campaign(
        group,
        {
            "title": f"{prefix} Campaign",
            "summary": f"{prefix} summary",
            "aims": f"{prefix} aims",
            "partners": f"{prefix} Partner",
        },
        officer,
    )
    when = clock.utcnow_naive().replace(microsecond=0) + timedelta(days=3)
    action = ops.add_action(
        campaign,
        {
            "title": f"{prefix} Action",
            "kind": "leaflet",
            "place": f"{prefix} Place",
            "details": f"{prefix} details",
            "starts_at": datetime(when.year, when.month, when.day, 10),
            "target": 5,
        },
        officer,
    )
    signup = ops.sign_up(action, people["member"])
    db.session.commit()
    return [campaign.id, action.id, signup.id]
