"""Wire the events room into the app: pages, feeds, dashboard panel and the reminder task."""

from __future__ import annotations

from typing import Any

from flask import Flask


def events_panel(group: Any, member: Any) -> dict[str, Any]:
    from node.events.operations import event_query
    from node.extensions import db

    events = db.session.scalars(event_query(group).limit(5)).all()
    return {"title": "Coming up", "template": "events/_panel.html", "events": events}


def init_app(app: Flask) -> None:
    from node import scheduler
    from node.campaigns.setup import _add
    from node.events import erasure as events_erasure
    from node.events import (
        models,  # noqa: F401
        operations,
    )
    from node.events.views import bp
    from node.home import dashboard_panels, nav_links
    from node.members import erasure

    app.register_blueprint(bp)
    _add(nav_links, ("Events", "events.index", "member"))
    if events_panel not in dashboard_panels:
        dashboard_panels.insert(0, events_panel)
    erasure.register(events_erasure.HOOK)
    scheduler.register("events.reminders", operations.send_due_reminders)
