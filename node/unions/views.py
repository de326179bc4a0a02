"""The union network view for organisers, union-wide messages, and a member's rep declaration."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from wtforms import SelectChoice

from node.auth.access import member_required, organiser_required
from node.campaigns.views import csv_response, refuse
from node.extensions import db
from node.members.views import paginate
from node.tenancy import current_group
from node.unions import operations as ops
from node.unions.forms import DetailsForm, UnionMessageForm

bp = Blueprint("unions", __name__)


def _message_form(net: ops.Network) -> UnionMessageForm:
    form = UnionMessageForm()
    form.union.choices = [SelectChoice(u, f"{u} ({n})") for u, n in net.by_union]
    return form


@bp.route("/unions")
@organiser_required
def index():  # type: ignore[no-untyped-def]
    group = current_group()
    net = ops.network(group)
    outside, page, pages, total = paginate(ops.not_in_union_query(group))
    return render_template(
        "unions/index.html",
        net=net,
        outside=outside,
        page=page,
        pages=pages,
        outside_total=total,
        form=_message_form(net),
    )


@bp.route("/unions.csv")
@organiser_required
def export_csv():  # type: ignore[no-untyped-def]
    group = current_group()
    return csv_response(ops.network_csv(group), f"{group.slug}-union-network.csv")


@bp.route("/unions/message", methods=["POST"])
@organiser_required
def message():  # type: ignore[no-untyped-def]
    group = current_group()
    form = _message_form(ops.network(group))
    if not form.validate_on_submit():
        abort(400, "Choose a union and write a subject and a message.")
    try:
        sent = ops.message_union(
            group, form.union.data, form.subject.data, form.body.data, g.member
        )
    except ops.UnionError as exc:
        refuse(exc)
    db.session.commit()
    flash(
        f"Sent to {sent.sent} member(s) in {form.union.data}; {sent.skipped} without e-mail "
        "consent skipped.",
        "info",
    )
    return redirect(url_for("unions.index"))


@bp.route("/unions/me", methods=["GET", "POST"])
@member_required
def me():  # type: ignore[no-untyped-def]
    details = ops.details_for(g.member)
    form = DetailsForm(obj=details)
    if request.method == "GET" and details is not None:
        form.rep_role.data = details.rep_role or ""
    if form.validate_on_submit():
        try:
            ops.declare(g.member, form.sector.data or "", form.rep_role.data or "")
        except ops.UnionError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Saved.", "info")
            return redirect(url_for("unions.me"))
    return render_template("unions/me.html", form=form), (400 if request.method == "POST" else 200)
