"""Wire the witness into the app: its pages, the periodic check of each hub's log, and the
officers' dashboard panel that says in plain words what the hub was caught doing."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node.i18n import N_
from node.rooms import Rooms


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    if not member.is_officer:
        return None
    from node.witness import evidence
    from node.witness.views import names

    rows = evidence.open_evidence(group.id)
    if not rows:
        return None
    known = names(group.id)
    return {
        "title": N_("The national hub's log: something is wrong"),
        "template": "witness/_panel.html",
        "entries": [(row, evidence.headline(row, known)) for row in rows[:10]],
        "more": max(0, len(rows) - 10),
    }


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.witness import views, worker

    app.register_blueprint(views.bp)
    rooms.task(worker.TASK, worker.run)
    rooms.panel(_panel, order=5)
