"""Wire the selections room into the node: its pages, a menu link under Decisions, the periodic
task (close nominations into a ballot, publish answers) with a lazy on-request run, the
``option_details`` provider for the ballot paper, following (news in a daily digest), the
erasure hook and demo content."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from flask import Flask, current_app, request
from sqlalchemy import select

from node import clock
from node.extensions import db
from node.organising import follows
from node.rooms import Rooms

log = logging.getLogger(__name__)
LAZY_EVERY = timedelta(seconds=30)


def _lazy_run_due() -> None:
    """Run the selections task at most every 30 s (by node.clock) from an incoming request,
    so nominations close into a ballot on time even where no worker runs."""
    from node.selections.balloting import run_due

    if request.endpoint in (None, "static", "healthz"):
        return
    state = current_app.extensions.setdefault("selections", {})
    now = clock.now()
    last = state.get("lazy_at")
    if last is not None and last <= now < last + LAZY_EVERY:
        return
    state["lazy_at"] = now
    try:
        run_due()
    except Exception:  # never break a page view because of a background task
        db.session.rollback()
        log.exception("selections: lazy run_due failed")


def _names(group: Any, ids: list[int]) -> dict[int, str]:
    """How the audit log names "selection #3": by its office and area."""
    from node.selections.models import Selection

    rows = db.session.execute(
        select(Selection.id, Selection.office, Selection.area).where(
            Selection.group_id == group.id, Selection.id.in_(ids)
        )
    )
    return {ident: f"the selection for {office}, {area}" for ident, office, area in rows}


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.selections import hustings_views  # noqa: F401  (its routes are on bp)
    from node.selections.balloting import option_links, run_due
    from node.selections.demo import seed
    from node.selections.erasure import HOOK
    from node.selections.views import bp

    app.register_blueprint(bp)
    follows.install(rooms)  # the digest task and its erasure hook (idempotent)
    app.before_request(_lazy_run_due)
    rooms.nav("Selections", "selections.index", section="decisions")
    rooms.task("selections", run_due)
    rooms.audit_name("selection", _names)
    rooms.option_details.append(option_links)
    rooms.erasure(HOOK)
    rooms.demo(seed, order=70)
