"""Wire the unions room into the app."""

from __future__ import annotations

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.unions import erasure, providers
    from node.unions.views import bp

    app.register_blueprint(bp)
    rooms.nav(N_("Unions"), "unions.index", "organiser", section="organising")
    rooms.erasure(erasure.HOOK)
    rooms.record_entries.append(providers.record_entries)
