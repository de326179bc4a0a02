"""Wire the newsletters room into the app: pages, nav link, erasure hook, the sending task."""

from __future__ import annotations

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.members.audit_words import titles
    from node.newsletters import erasure, operations
    from node.newsletters.models import Newsletter
    from node.newsletters.views import bp

    app.register_blueprint(bp)
    rooms.nav(N_("Newsletters"), "newsletters.index", "organiser", section="organising")
    rooms.audit_name("newsletter", titles(Newsletter, "subject"))
    rooms.erasure(erasure.HOOK)
    rooms.task(operations.TASK, operations.send_due)
