"""Wire the hub room into the app: blueprints, the hub's menu, the sweep, and two signals
(statements received → the aggregates; "is this key vouched for?" → the signed registry).
Everything checks ``group.is_hub`` at run time, so an ordinary
node carries the code but never acts on it (except joining a hub and trusting its registry)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node import signals
from node.i18n import N_
from node.rooms import Rooms


def _on_statements_stored(sender: Flask, *, holder: Any, statements: list[Any]) -> None:
    """Fold a newly stored batch into the aggregates (each counter touched once per batch)."""
    if getattr(holder, "is_hub", False):
        from node.hub.aggregates import apply_batch

        apply_batch(holder, statements)


def _vouched(sender: Flask, *, group_id: int, url: str, thumbprint: str) -> bool:
    from node.hub.registry import trusted_via_registry

    return trusted_via_registry(group_id, url, thumbprint)


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.hub import api, sweep, views
    from node.hub.log import setup as log_setup

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    # The hub's menu: hub staff land on the national dashboard (Home), not a local group's.
    rooms.nav(N_("National dashboard"), "hub.overview", section="home", where="hub")
    rooms.nav(N_("Candidates"), "hub.candidates", section="decisions", where="hub")
    rooms.nav(N_("Campaigns"), "hub.campaigns", section="decisions", where="hub")
    rooms.nav(N_("Enrolled groups"), "hub.groups", section="members", where="hub")
    rooms.nav(N_("Regions"), "hub.regions", section="members", where="hub")
    rooms.nav(N_("Enrolment tokens"), "hub.tokens", "officer", section="members", where="hub")
    signals.statements_received.connect(_on_statements_stored, sender=app)
    signals.key_vouched.connect(_vouched, sender=app)
    rooms.task("hub-sweep", sweep.run_sweep)
    log_setup.init_app(app, rooms)  # after the aggregates: the log appends last
