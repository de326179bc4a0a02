"""Periodic work also run from page views, so a group with no ``commonground worker`` still
sees ballots open and close, nominations close and motions move on, on time.

A room installs one hook per task with :func:`run_lazily`: at most once per ``every`` (by
``node.clock``, so tests move it) per app, before a person's request; a failure is logged and
rolled back, never shown on the page that happened to trigger it. Requests with no one waiting
(static files, ``/healthz``, and any blueprint a room lists — a peer's push may arrive while the
peer's own transaction is open) never run it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection
from datetime import timedelta

from flask import Flask, current_app, request

from node import clock
from node.extensions import db

log = logging.getLogger(__name__)
EVERY = timedelta(seconds=30)
_QUIET_ENDPOINTS = (None, "static", "healthz")


def run_lazily(
    app: Flask,
    name: str,
    run_due: Callable[[], object],
    *,
    every: timedelta = EVERY,
    skip_blueprints: Collection[str] = (),
) -> None:
    """Run ``run_due`` before requests to ``app``, at most once per ``every``."""

    def hook() -> None:
        if request.endpoint in _QUIET_ENDPOINTS or request.blueprint in skip_blueprints:
            return
        state = current_app.extensions.setdefault(f"lazy:{name}", {})
        now = clock.now()
        last = state.get("at")
        if last is not None and last <= now < last + every:
            return
        state["at"] = now
        try:
            run_due()
        except Exception:  # never break a page view because of a background task
            db.session.rollback()
            log.exception("%s: lazy run_due failed", name)

    app.before_request(hook)
