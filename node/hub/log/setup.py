"""Wire the transparency log into the app (called from ``node.hub.setup``): its blueprint, the
checkpoint task, and two signals: statements received → appended to the log (connected after the
aggregates' receiver, in the same transaction), and the inbox's "where are these in the log?" →
leaf indexes. Like the rest of the hub, everything checks ``group.is_hub`` at run time."""

from __future__ import annotations

from typing import Any

from flask import Flask

from node import signals
from node.rooms import Rooms


def append_received(sender: Flask, *, holder: Any, statements: list[Any]) -> None:
    """Append a stored batch to the hub's log (bench/tlog.py disconnects it to measure the
    ingest path without the log)."""
    if getattr(holder, "is_hub", False):
        from node.hub.log.store import append

        append(holder.id, statements)


def _positions(sender: Flask, *, holder: Any, compacts: list[str]) -> dict[str, int] | None:
    if not getattr(holder, "is_hub", False):
        return None
    from node.hub.log.store import indexes_of

    return indexes_of(holder.id, compacts)


def _sign_due_checkpoints() -> int:
    from node.hub.log.signing import sign_due_checkpoints

    return sign_due_checkpoints()


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.hub.log import api

    app.register_blueprint(api.bp)
    signals.statements_received.connect(append_received, sender=app)
    signals.log_positions.connect(_positions, sender=app)
    rooms.task("hub-log-checkpoint", _sign_due_checkpoints)
