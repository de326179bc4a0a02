"""Wire the peering room into the app: blueprints, CSRF exemption of the protocol API,
a signing key for each new group (``group_created``), the worker task, nav link and dashboard panel."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node import signals
from node.rooms import Rooms


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    from node.peering.operations import describe, received_statements

    items = [(row, describe(row, name)) for row, name in received_statements(group, limit=5)]
    return {
        "title": "From groups we follow",
        "template": "federation/_panel.html",
        "entries": items,
    }


def _make_key(sender: Flask, *, group: Any) -> None:
    from node.peering import keystore

    keystore.new_key(group)  # every group is born with a signing key


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.extensions import csrf
    from node.peering import api, views, worker

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)
    signals.group_created.connect(_make_key, sender=app)
    rooms.task("federation", worker.run)
    rooms.nav("Endorsements", "federation.statements")
    rooms.panel(_panel)
