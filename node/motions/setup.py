"""Wire the motions room into the app: its pages, menu links, the follow-and-digest kernel, the
task that opens each next ballot of a motion being voted on (also run lazily from requests, at
most every 30 s, so the sequence moves where nobody runs ``commonground worker``), erasure and
demo content."""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import Flask, current_app, request

from node import clock
from node.extensions import db
from node.motions import deciding
from node.motions.demo import seed
from node.motions.erasure import HOOK
from node.motions.views import bp
from node.organising import follows
from node.rooms import Rooms

log = logging.getLogger(__name__)
LAZY_EVERY = timedelta(seconds=30)
MACHINE_BLUEPRINTS = ("federation_api", "hub_api")


def _lazy_run_due() -> None:
    """From a person's page view only: machine calls (a peer's push or pull) may come while the
    caller's own transaction is open, and have no one waiting to see a motion move on."""
    if request.endpoint in (None, "static", "healthz") or request.blueprint in MACHINE_BLUEPRINTS:
        return
    state = current_app.extensions.setdefault("motions", {})
    now = clock.now()
    last = state.get("lazy_at")
    if last is not None and last <= now < last + LAZY_EVERY:
        return
    state["lazy_at"] = now
    try:
        deciding.run_due()
    except Exception:  # never break a page view because of a background task
        db.session.rollback()
        log.exception("motions: lazy run_due failed")


def init_app(app: Flask, rooms: Rooms) -> None:
    app.register_blueprint(bp)
    app.before_request(_lazy_run_due)
    rooms.nav("Motions", "motions.index", section="decisions")
    follows.install(rooms)
    rooms.task(deciding.TASK, deciding.run_due)
    rooms.erasure(HOOK)
    rooms.demo(seed, order=60)
