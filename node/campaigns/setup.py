"""Wire the campaigns room (and the organiser record pages and unsubscribe links) into the app."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


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
        "title": N_("Active campaigns"),
        "template": "campaigns/_panel.html",
        "campaigns": [(c, per.get(c.id, [])[:2]) for c in active],
    }


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.campaigns import erasure, providers, sharing
    from node.campaigns.demo import seed as seed_demo
    from node.campaigns.models import Action, Campaign
    from node.campaigns.views import bp
    from node.members.audit_words import titles

    app.register_blueprint(bp)
    rooms.record_entries.append(providers.record_entries)
    rooms.commitments.append(providers.commitments)
    rooms.event_links.append(providers.event_links)
    rooms.nav(N_("Campaigns"), "campaigns.index", section="organising")
    rooms.audit_name("campaign", titles(Campaign, "title"))
    rooms.audit_name("action", titles(Action, "title"))
    rooms.nav(N_("My record"), "campaigns.my_record", section="you")
    rooms.nav(N_("Development"), "campaigns.ladder_index", "officer", section="members")
    rooms.panel(campaigns_panel)
    rooms.erasure(erasure.HOOK)
    rooms.public_listings.append(providers.public_listing)
    rooms.endorsable.append(providers.ENDORSABLE)
    rooms.demo(seed_demo)
    rooms.task("campaigns.sync_received", sharing.sync_all)
