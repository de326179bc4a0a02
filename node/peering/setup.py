"""Wire the peering room into the app: blueprints, CSRF exemption of the protocol API,
a signing key for each new group (``group_created``), the worker task, nav link and dashboard panel."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Flask

from node import signals
from node.i18n import N_
from node.rooms import Endorsable, Rooms


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    from node.peering.operations import describe, received_statements

    # Each line once: the hub re-signs its registry often, and "National Hub published its list
    # of groups" twice over says nothing more.
    items: list[tuple[Any, str]] = []
    for row, name in received_statements(group, limit=20):
        text = describe(row, name)
        if len(items) < 5 and all(text != seen for _, seen in items):
            items.append((row, text))
    return {
        "title": N_("From groups we follow"),
        "template": "federation/_panel.html",
        "entries": items,
    }


def _make_key(sender: Flask, *, group: Any) -> None:
    from node.peering import keystore

    keystore.new_key(group)  # every group is born with a signing key


def _publish_decision(
    sender: Flask,
    *,
    group: Any,
    decision: dict[str, Any],
    actor: Any,
    candidates: list[signals.Candidate] | None = None,
    campaign: Endorsable | None = None,
) -> list[Any]:
    """Sign a group's decision: one statement per candidate, or one for the campaign."""
    from node.peering.operations import endorse_candidate, publish_campaign_endorsement

    if campaign is not None:
        return [publish_campaign_endorsement(group, asdict(campaign), decision, actor)]
    return [
        endorse_candidate(group, c.name, c.office, c.area, c.election_date, decision, actor)
        for c in candidates or []
    ]


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.extensions import csrf
    from node.peering import api, views, worker

    app.register_blueprint(api.bp)
    app.register_blueprint(views.bp)
    csrf.exempt(api.bp)
    signals.group_created.connect(_make_key, sender=app)
    signals.decision_published.connect(_publish_decision, sender=app)
    rooms.task("federation", worker.run)
    rooms.nav(N_("Endorsements"), "federation.statements", section="decisions")
    rooms.panel(_panel)
