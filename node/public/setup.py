"""Wire the public room into the app: the public home page, the join form, the officers' queue."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def join_panel(group: Any, member: Any) -> dict[str, Any] | None:
    """Officers see how many confirmed join requests wait for them."""
    from node.public.operations import waiting_count

    if not member.is_officer or group.is_hub:
        return None
    return {
        "title": N_("Join requests"),
        "template": "public/_panel.html",
        "waiting": waiting_count(group),
    }


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.public import erasure
    from node.public.views import bp, home_page

    app.register_blueprint(bp)
    rooms.public_home = home_page
    rooms.nav(N_("Public page"), "public.settings", "officer", section="group")
    rooms.panel(join_panel)
    rooms.erasure(erasure.HOOK)
