"""Wire the motions room into the app: its pages, menu links, the follow-and-digest kernel, the
task that opens each next ballot of a motion being voted on (also run lazily from requests, at
most every 30 s, so the sequence moves where nobody runs ``commonground worker``), erasure and
demo content."""

from __future__ import annotations

from flask import Flask

from node.i18n import N_
from node.motions import deciding
from node.motions.demo import seed
from node.motions.erasure import HOOK
from node.motions.views import bp
from node.organising import follows
from node.rooms import Rooms
from node.scheduler.lazy import run_lazily

MACHINE_BLUEPRINTS = ("federation_api", "hub_api")


def init_app(app: Flask, rooms: Rooms) -> None:
    app.register_blueprint(bp)
    # From a person's page view only: a peer's push or pull may come while the caller's own
    # transaction is open, and has no one waiting to see a motion move on.
    run_lazily(app, "motions", deciding.run_due, skip_blueprints=MACHINE_BLUEPRINTS)
    rooms.nav(N_("Motions"), "motions.index", section="decisions")
    follows.install(rooms)
    rooms.task(deciding.TASK, deciding.run_due)
    rooms.erasure(HOOK)
    rooms.demo(seed, order=60)
