"""Wire the selections room into the node: its pages, a menu link under Decisions, the periodic
task (close nominations into a ballot, publish answers) with a lazy on-request run, the
``option_details`` provider for the ballot paper, following (news in a daily digest), the
erasure hook and demo content."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import select

from node.extensions import db
from node.i18n import N_
from node.organising import follows
from node.rooms import Rooms
from node.scheduler.lazy import run_lazily


def _names(group: Any, ids: list[int]) -> dict[int, str]:
    """How the audit log names "selection #3": by its office and area."""
    from node.selections.models import Selection

    rows = db.session.execute(
        select(Selection.id, Selection.office, Selection.area).where(
            Selection.group_id == group.id, Selection.id.in_(ids)
        )
    )
    return {
        ident: _("the selection for %(office)s, %(area)s", office=office, area=area)
        for ident, office, area in rows
    }


def init_app(app: Flask, rooms: Rooms) -> None:
    from node.selections import hustings_views  # noqa: F401  (its routes are on bp)
    from node.selections.balloting import option_links, run_due
    from node.selections.demo import seed
    from node.selections.erasure import HOOK
    from node.selections.views import bp

    app.register_blueprint(bp)
    follows.install(rooms)  # the digest task and its erasure hook (idempotent)
    run_lazily(app, "selections", run_due)
    rooms.nav(N_("Selections"), "selections.index", section="decisions")
    rooms.task("selections", run_due)
    rooms.audit_name("selection", _names)
    rooms.option_details.append(option_links)
    rooms.erasure(HOOK)
    rooms.demo(seed, order=70)
