"""Wire the federation room into the app: blueprints, CSRF exemption of the protocol API,
the key-making hook on group creation, the worker task, nav link and dashboard panel."""

from __future__ import annotations

from typing import Any

from flask import Flask


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    from node.peering.operations import describe, received_statements

    items = [(row, describe(row, name)) for row, name in received_statements(group, limit=5)]
    return {
        "title": "From groups we follow",
        "template": "federation/_panel.html",
        "entries": items,
    }


def init_app(app: Flask) -> None:
    from node import home, scheduler
    from node.extensions import csrf
    from node.groups import operations as groups
    from node.peering import api, keystore, views, worker

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)
    if keystore.on_group_created not in groups.on_group_created:
        groups.on_group_created.append(keystore.on_group_created)
    scheduler.register("federation", worker.run)
    if ("Endorsements", "federation.statements", "member") not in home.nav_links:
        home.nav_links.append(("Endorsements", "federation.statements", "member"))
    if _panel not in home.dashboard_panels:
        home.dashboard_panels.append(_panel)
