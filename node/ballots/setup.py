"""Wire the ballots room into the node: blueprint, nav link, dashboard panel, scheduler task,
a lazy on-request run of the same task (so ballots open and close on time even where nobody
runs ``commonground worker``), erasure hook (node/ballots/erasure.py) and demo content.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import exists, select

from node.ballots import (  # noqa: F401  (their routes are on bp)
    decision_views,
    link_views,
    officer_views,
    result_views,
)
from node.ballots.demo import seed_ballots
from node.ballots.erasure import HOOK
from node.ballots.models import Ballot, Elector, Participation
from node.ballots.scheduling import run_due
from node.ballots.views import bp
from node.extensions import db
from node.i18n import N_
from node.members.audit_words import titles
from node.rooms import Rooms, rooms_of
from node.scheduler.lazy import run_lazily


def _panel(group: Any, member: Any) -> dict[str, Any] | None:
    stmt = select(Ballot).where(Ballot.group_id == group.id, Ballot.state == "open")
    if not member.is_officer:
        stmt = stmt.where(
            exists().where(Elector.ballot_id == Ballot.id, Elector.member_id == member.id)
        )
    ballots = db.session.scalars(stmt.order_by(Ballot.closes_at).limit(10)).all()
    voted = set(
        db.session.scalars(
            select(Participation.ballot_id).where(
                Participation.member_id == member.id,
                Participation.ballot_id.in_([b.id for b in ballots]),
            )
        )
    )
    return {
        "title": N_("Open ballots"),
        "template": "ballots/_panel.html",
        "open_ballots": ballots,
        "voted": voted,
    }


def _option_details(ballot: Ballot) -> dict[int, str]:
    """For the ballot paper: option position -> a page about it (``Rooms.option_details``)."""
    return rooms_of().details_of(ballot)


def init_app(app: Flask, rooms: Rooms) -> None:
    app.register_blueprint(bp)
    app.add_template_global(_option_details, "option_details")
    run_lazily(app, "ballots", run_due)
    rooms.nav(N_("Ballots"), "ballots.index", section="decisions")
    rooms.audit_name("ballot", titles(Ballot, "title"))
    rooms.panel(_panel)
    rooms.erasure(HOOK)
    rooms.demo(seed_ballots)
    rooms.task("ballots", run_due)
