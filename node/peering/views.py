"""Federation pages for people: what peers endorsed (members), and for officers: peers, following,
delivery status with the dead-letter list, recording meeting decisions and retracting."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import and_, func, or_, select
from werkzeug.wrappers import Response

from node.errors import Invalid
from node.extensions import db
from node.forms import EmptyForm
from node.groups.operations import slugify
from node.members.access import member_required, officer_required
from node.peering import keystore
from node.peering import operations as ops
from node.peering.following import follow_peer, preview_peer, unfollow_peer
from node.peering.forms import CampaignForm, CandidateForm, FollowForm, MeetingFields, RetractForm
from node.peering.models import Delivery, ForkEvidence, Peer, Statement
from node.tenancy import current_group, get_or_404, scoped
from node.web import check_form, csv_download, done, form_page, paginate, show_invalid, submit

bp = Blueprint("federation", __name__, url_prefix="/federation")


@bp.route("/")
@member_required
def statements() -> str:
    group = current_group()
    names = dict(
        db.session.execute(select(Peer.issuer, Peer.name).where(Peer.group_id == group.id)).all()
    )
    stmt = scoped(Statement).order_by(Statement.received_at.desc(), Statement.id.desc())
    items, page, pages, total = paginate(stmt)
    rows = [
        (
            row,
            ops.describe(
                row, group.name if row.issuer == group.url else names.get(row.issuer, row.issuer)
            ),
        )
        for row in items
    ]
    return render_template(
        "federation/statements.html", rows=rows, page=page, pages=pages, total=total, group=group
    )


@bp.route("/statements.csv")
@member_required
def statements_csv() -> Response:
    group = current_group()
    held = db.session.scalars(
        select(Statement)
        .where(Statement.group_id == group.id)
        .order_by(Statement.issuer, Statement.seq)
    )
    header = ["statement_id", "issuer", "seq", "type", "issued_at", "verification", "retracted_by"]
    rows = (
        [r.statement_id, r.issuer, r.seq, r.type, r.issued_at.isoformat(), r.verification]
        + [r.retracted_by or ""]
        for r in held
    )
    return csv_download([header, *rows], f"{group.slug}-statements.csv", private=False)


@bp.route("/admin")
@officer_required
def admin() -> str:
    group = current_group()
    peers = db.session.scalars(scoped(Peer).order_by(Peer.name)).all()
    counts: dict[str, dict[str, int]] = {}
    for destination, state, n in db.session.execute(
        select(Delivery.destination, Delivery.state, func.count())
        .where(Delivery.group_id == group.id)
        .group_by(Delivery.destination, Delivery.state)
    ):
        counts.setdefault(destination, {})[state] = n
    # Failed and dead rows, and pending ones that have failed before (retrying, backed off):
    # officers see every delivery in trouble, with its attempts, next try and last error.
    problems = db.session.scalars(
        scoped(Delivery)
        .where(
            or_(
                Delivery.state.in_(("failed", "dead")),
                and_(Delivery.state == "pending", Delivery.last_error.is_not(None)),
            )
        )
        .order_by(Delivery.id)
        .limit(100)
    ).all()
    forks = db.session.scalars(
        scoped(ForkEvidence).order_by(ForkEvidence.id.desc()).limit(20)
    ).all()
    return render_template(
        "federation/admin.html",
        peers=peers,
        counts=counts,
        problems=problems,
        forks=forks,
        keys=keystore.all_keys(group),
        form=EmptyForm(),
        group=group,
    )


@bp.route("/peers/follow", methods=["GET", "POST"])
@officer_required
def follow() -> ResponseReturnValue:
    group = current_group()
    form = FollowForm()
    preview = None
    if form.validate_on_submit():
        try:
            if form.fingerprint.data:
                preview = follow_peer(group, form.url.data, form.fingerprint.data, g.member)
            else:
                preview = preview_peer(group, form.url.data)
        except Invalid as exc:
            db.session.rollback()
            show_invalid(form, exc)
            return form_page("federation/follow.html", form=form, preview=None)
        if preview.pinned:
            return done(
                _("Now following %(name)s (%(remote)s).", name=preview.name, remote=preview.remote),
                "federation.admin",
            )
        form.fingerprint.data = preview.fingerprint
    return render_template("federation/follow.html", form=form, preview=preview)


@bp.route("/peers/<int:peer_id>/unfollow", methods=["POST"])
@officer_required
def unfollow(peer_id: int) -> Response:
    peer = get_or_404(Peer, peer_id)
    check_form()
    outcome = unfollow_peer(current_group(), peer, g.member)
    return done(
        _("Unfollowed %(name)s (%(outcome)s).", name=peer.name, outcome=outcome), "federation.admin"
    )


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@officer_required
def retry(delivery_id: int) -> Response:
    delivery = get_or_404(Delivery, delivery_id)
    check_form()
    ops.retry_delivery(delivery, g.member)
    return done(_("The delivery will be tried again by the worker."), "federation.admin")


def _decision(form: MeetingFields) -> dict[str, Any]:
    return ops.meeting_decision(
        form.meeting_date.data,
        form.minute.data.strip(),
        (form.summary.data or "Agreed at a general meeting").strip(),
        form.turnout.data,
    )


def _publish_page(
    form: MeetingFields, kind: str, build: Callable[[], Statement]
) -> ResponseReturnValue:
    """Record a meeting decision: fill in, check the preview, confirm publication."""
    if form.confirm.data == "yes":
        published = submit(
            form,
            build,
            lambda row: done(
                _(
                    "Published and signed as statement %(seq)s. Followers will receive it.",
                    seq=row.seq,
                ),
                "federation.statements",
            ),
        )
        if published is not None:
            return published
    elif form.validate_on_submit():
        form.confirm.data = "yes"
        return render_template("federation/publish.html", form=form, kind=kind, preview=True)
    return form_page("federation/publish.html", form=form, kind=kind, preview=False)


@bp.route("/publish/candidate", methods=["GET", "POST"])
@officer_required
def publish_candidate() -> ResponseReturnValue:
    form = CandidateForm()
    return _publish_page(
        form,
        "candidate",
        lambda: ops.endorse_candidate(
            current_group(),
            form.name.data,
            form.office.data,
            form.area.data,
            form.election_date.data,
            _decision(form),
            g.member,
        ),
    )


@bp.route("/publish/campaign", methods=["GET", "POST"])
@officer_required
def publish_campaign() -> ResponseReturnValue:
    form = CampaignForm()
    group = current_group()

    def build() -> Statement:
        campaign = {
            "id_url": form.url.data or f"{group.url}/campaigns/{slugify(form.title.data)}",
            "title": form.title.data,
            "summary": form.campaign_summary.data,
            "origin": group.url,
        }
        return ops.publish_campaign_endorsement(group, campaign, _decision(form), g.member)

    return _publish_page(form, "campaign", build)


@bp.route("/statements/<int:statement_id>/retract", methods=["GET", "POST"])
@officer_required
def retract(statement_id: int) -> ResponseReturnValue:
    group = current_group()
    row = get_or_404(Statement, statement_id)
    if row.issuer != group.url:
        abort(404)
    form = RetractForm()
    retracted = submit(
        form,
        lambda: ops.retract(group, row.statement_id, form.reason.data, g.member),
        lambda _row: done(
            _("Retracted. Followers will receive the retraction."), "federation.statements"
        ),
    )
    if retracted is not None:
        return retracted
    return render_template(
        "federation/retract.html", form=form, row=row, text=ops.describe(row, group.name)
    )
