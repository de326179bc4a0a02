"""Wire the events room into the app: pages, feeds, dashboard panel and the reminder task."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def events_panel(group: Any, member: Any) -> dict[str, Any]:
    from node.events.operations import event_query
    from node.extensions import db

    events = db.session.scalars(event_query(group).limit(5)).all()
    return {"title": N_("Coming up"), "template": "events/_panel.html", "events": events}


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.events import erasure, operations, providers
    from node.events.demo import seed as seed_demo
    from node.events.models import Event
    from node.events.views import bp
    from node.members.audit_words import titles

    app.register_blueprint(bp)
    rooms.nav(N_("Events"), "events.index", section="organising")
    rooms.audit_name("event", titles(Event, "title"))
    rooms.panel(events_panel, order=10)
    rooms.erasure(erasure.HOOK)
    rooms.digest_sections.append(providers.segments)
    rooms.public_listings.append(providers.public_listing)
    rooms.task("events.reminders", operations.send_due_reminders)
    rooms.record_entries.append(providers.record_entries)
    rooms.commitments.append(providers.commitments)
    rooms.linked_events.append(providers.linked_events)
    rooms.demo(seed_demo, order=60)
