"""Wire the campaigns room (and the organiser record and unsubscribe links) into the app."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask


def _add(registry: list[Any], item: Any) -> None:
    """Append once: the app factory runs many times in one process (tests)."""
    if item not in registry:
        registry.append(item)


def localtime(value: datetime | None, tz: str = "Europe/London") -> str:
    """Jinja filter: a naive UTC datetime shown in UK time."""
    if value is None:
        return "—"
    from node.events.times import to_local

    return to_local(value, tz).strftime("%a %d %b %Y, %H:%M")


def campaigns_panel(group: Any, member: Any) -> dict[str, Any]:
    from sqlalchemy import select

    from node.campaigns.models import Action, Campaign
    from node.campaigns.operations import next_actions
    from node.extensions import db

    upcoming = next_actions(group, limit=50)
    active = db.session.scalars(
        select(Campaign)
        .where(Campaign.group_id == group.id, Campaign.status == "active")
        .order_by(Campaign.updated_at.desc())
        .limit(5)
    ).all()
    per: dict[int, list[Action]] = {}
    for action in upcoming:
        per.setdefault(action.campaign_id, []).append(action)
    return {
        "title": "Active campaigns",
        "template": "campaigns/_panel.html",
        "campaigns": [(c, per.get(c.id, [])[:2]) for c in active],
    }


def init_app(app: Flask) -> None:
    from node import scheduler
    from node.campaigns import erasure as campaigns_erasure
    from node.campaigns import (
        models,  # noqa: F401
        sharing,
    )
    from node.campaigns.demo import seed as seed_demo
    from node.campaigns.views import bp
    from node.demo import seed_hooks
    from node.home import dashboard_panels, nav_links
    from node.members import erasure

    app.register_blueprint(bp)
    app.jinja_env.filters["localtime"] = localtime
    _add(nav_links, ("Campaigns", "campaigns.index", "member"))
    _add(nav_links, ("My record", "campaigns.my_record", "member"))
    _add(nav_links, ("Development", "campaigns.ladder_index", "officer"))
    _add(dashboard_panels, campaigns_panel)
    erasure.register(campaigns_erasure.HOOK)
    _add(seed_hooks, seed_demo)
    scheduler.register("campaigns.sync_received", sharing.sync_all)
