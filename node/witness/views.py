"""The witness's pages: the public list of checkpoints this group verified (peers compare them
with theirs, protocol §14.8) and, for officers, the evidence with an "I have read this" button."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from node.extensions import db, limiter
from node.forms import EmptyForm
from node.members.access import officer_required, public
from node.peering.models import Peer
from node.tenancy import current_group, get_or_404, scoped
from node.web import check_form, done
from node.witness import evidence
from node.witness.models import Evidence, WitnessState

bp = Blueprint("witness", __name__, url_prefix="/federation/witness")


@bp.route("/checkpoints")
@public
@limiter.limit("120/minute")
def checkpoints() -> ResponseReturnValue:
    """The hub checkpoints this group last verified, as the hubs signed them."""
    rows = db.session.scalars(
        scoped(WitnessState)
        .where(WitnessState.checkpoint.is_not(None))
        .order_by(WitnessState.id)
        .limit(20)
    ).all()
    return jsonify({"checkpoints": [row.checkpoint for row in rows]})


def names(group_id: int) -> dict[str, str]:
    return dict(
        db.session.execute(select(Peer.issuer, Peer.name).where(Peer.group_id == group_id)).all()
    )


@bp.route("/")
@officer_required
def index() -> str:
    group = current_group()
    rows = evidence.all_evidence(group.id)
    states = db.session.scalars(scoped(WitnessState).order_by(WitnessState.hub_url)).all()
    known = names(group.id)
    return render_template(
        "witness/index.html",
        rows=[(row, evidence.headline(row, known)) for row in rows],
        states=states,
        form=EmptyForm(),
        group=group,
    )


@bp.route("/evidence/<int:evidence_id>/acknowledge", methods=["POST"])
@officer_required
def acknowledge(evidence_id: int) -> Response:
    row = get_or_404(Evidence, evidence_id)
    check_form()
    evidence.acknowledge(row, g.member)
    return done(_("Marked as read. The evidence is kept."), "witness.index")
