"""Federation pages for people: what peers endorsed (members), and for officers: peers, following,
delivery status with the dead-letter list, recording meeting decisions and retracting."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from sqlalchemy import and_, func, or_, select

from node import csv_export
from node.auth.access import member_required, officer_required
from node.extensions import db
from node.forms import EmptyForm
from node.groups.operations import slugify
from node.members.views import paginate
from node.peering import keystore
from node.peering import operations as ops
from node.peering.following import FollowError, follow_peer, preview_peer, unfollow_peer
from node.peering.forms import CampaignForm, CandidateForm, FollowForm, RetractForm
from node.peering.models import Delivery, ForkEvidence, Peer, Statement
from node.tenancy import current_group, get_or_404, scoped

bp = Blueprint("federation", __name__, url_prefix="/federation")


@bp.route("/")
@member_required
def statements():  # type: ignore[no-untyped-def]
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
def statements_csv():  # type: ignore[no-untyped-def]
    group = current_group()
    rows: list[list[Any]] = [
        ["statement_id", "issuer", "seq", "type", "issued_at", "verification", "retracted_by"]
    ]
    for row in db.session.scalars(scoped(Statement).order_by(Statement.issuer, Statement.seq)):
        rows.append(
            [
                row.statement_id,
                row.issuer,
                row.seq,
                row.type,
                row.issued_at.isoformat(),
                row.verification,
                row.retracted_by or "",
            ]
        )
    return csv_export.response(
        csv_export.to_csv(rows), f"{group.slug}-statements.csv", private=False
    )


@bp.route("/admin")
@officer_required
def admin():  # type: ignore[no-untyped-def]
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
def follow():  # type: ignore[no-untyped-def]
    group = current_group()
    form = FollowForm()
    preview = None
    if form.validate_on_submit():
        try:
            if form.fingerprint.data:
                preview = follow_peer(group, form.url.data, form.fingerprint.data, g.member)
            else:
                preview = preview_peer(group, form.url.data)
        except FollowError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("federation/follow.html", form=form, preview=None), 400
        if preview.pinned:
            db.session.commit()
            flash(f"Now following {preview.name} ({preview.remote}).", "info")
            return redirect(url_for("federation.admin"))
        form.fingerprint.data = preview.fingerprint
    return render_template("federation/follow.html", form=form, preview=preview)


@bp.route("/peers/<int:peer_id>/unfollow", methods=["POST"])
@officer_required
def unfollow(peer_id: int):  # type: ignore[no-untyped-def]
    peer = get_or_404(Peer, peer_id)
    if EmptyForm().validate_on_submit():
        outcome = unfollow_peer(current_group(), peer, g.member)
        db.session.commit()
        flash(f"Unfollowed {peer.name} ({outcome}).", "info")
    return redirect(url_for("federation.admin"))


@bp.route("/deliveries/<int:delivery_id>/retry", methods=["POST"])
@officer_required
def retry(delivery_id: int):  # type: ignore[no-untyped-def]
    delivery = get_or_404(Delivery, delivery_id)
    if EmptyForm().validate_on_submit():
        ops.retry_delivery(delivery, g.member)
        db.session.commit()
        flash("The delivery will be tried again by the worker.", "info")
    return redirect(url_for("federation.admin"))


def _decision(form: Any) -> dict[str, Any]:
    return ops.meeting_decision(
        form.meeting_date.data,
        form.minute.data.strip(),
        (form.summary.data or "Agreed at a general meeting").strip(),
        form.turnout.data,
    )


def _publish_page(form: Any, kind: str, build: Any):  # type: ignore[no-untyped-def]
    """Record a meeting decision: fill in, check the preview, confirm publication."""
    if form.validate_on_submit():
        if form.confirm.data == "yes":
            try:
                row = build()
            except ops.PublishError as exc:
                db.session.rollback()
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(
                    f"Published and signed as statement {row.seq}. Followers will receive it.",
                    "info",
                )
                return redirect(url_for("federation.statements"))
        else:
            form.confirm.data = "yes"
            return render_template("federation/publish.html", form=form, kind=kind, preview=True)
    status = 400 if request.method == "POST" else 200
    return render_template("federation/publish.html", form=form, kind=kind, preview=False), status


@bp.route("/publish/candidate", methods=["GET", "POST"])
@officer_required
def publish_candidate():  # type: ignore[no-untyped-def]
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
def publish_campaign():  # type: ignore[no-untyped-def]
    form = CampaignForm()
    group = current_group()

    def build():  # type: ignore[no-untyped-def]
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
def retract(statement_id: int):  # type: ignore[no-untyped-def]
    group = current_group()
    row = get_or_404(Statement, statement_id)
    if row.issuer != group.url:
        abort(404)
    form = RetractForm()
    if form.validate_on_submit():
        try:
            ops.retract(group, row.statement_id, form.reason.data, g.member)
        except ops.PublishError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Retracted. Followers will receive the retraction.", "info")
            return redirect(url_for("federation.statements"))
    return render_template(
        "federation/retract.html", form=form, row=row, text=ops.describe(row, group.name)
    )
