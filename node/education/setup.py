"""Wire the education room into the app."""

from __future__ import annotations

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.education import erasure, providers
    from node.education.demo import seed as seed_demo
    from node.education.models import Programme
    from node.education.views import bp
    from node.members.audit_words import titles

    app.register_blueprint(bp)
    rooms.nav(N_("Education"), "education.index", section="organising")
    rooms.audit_name("programme", titles(Programme, "title"))
    rooms.erasure(erasure.HOOK)
    rooms.record_entries.append(providers.record_entries)
    rooms.event_links.append(providers.event_links)
    rooms.digest_sections.append(providers.segments)
    rooms.demo(seed_demo)
