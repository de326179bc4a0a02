"""Wire the hub room into the app: blueprints, the dashboard panel, the ingest hook, the sweep
and the registry trust hook. Everything checks ``group.is_hub`` at run time, so an ordinary
node carries the code but never acts on it (except joining a hub and trusting its registry)."""

from __future__ import annotations

from typing import Any

from flask import Flask


def _on_statements_stored(holder: Any, statements: list[Any]) -> None:
    """Fold a newly stored batch into the aggregates (each counter touched once per batch)."""
    if getattr(holder, "is_hub", False):
        from node.hub.aggregates import apply_batch

        apply_batch(holder, statements)


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    if not group.is_hub:
        return None
    from node.hub import queries

    return {"title": "National hub", "template": "hub/_panel.html", "totals": queries.totals(group)}


def init_app(app: Flask) -> None:
    from node import scheduler
    from node.app import optional_module
    from node.home import dashboard_panels
    from node.hub import api, registry, sweep, views

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    if _panel not in dashboard_panels:
        dashboard_panels.append(_panel)
    batch = optional_module("node.peering.batch")
    batch_hooks = getattr(batch, "on_statements_received", None)
    if batch_hooks is not None and _on_statements_stored not in batch_hooks:
        batch_hooks.append(_on_statements_stored)
    net = optional_module("node.peering.net")
    if net is not None:
        net.trusted_via_registry = registry.trusted_via_registry
    scheduler.register("hub-sweep", sweep.run_sweep)
