"""The union network view for organisers, union-wide messages, and a member's rep declaration."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from node import web
from node.members.access import member_required, organiser_required
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
def index() -> ResponseReturnValue:
    group = current_group()
    net = ops.network(group)
    outside = web.paginate(ops.not_in_union_query(group))
    return render_template("unions/index.html", net=net, outside=outside, form=_message_form(net))


@bp.route("/unions.csv")
@organiser_required
def export_csv() -> ResponseReturnValue:
    group = current_group()
    return web.csv_download(ops.network_table(group), f"{group.slug}-union-network.csv")


@bp.route("/unions/message", methods=["POST"])
@organiser_required
def message() -> ResponseReturnValue:
    group = current_group()
    form = _message_form(ops.network(group))
    if not form.validate_on_submit():
        abort(400, _("Choose a union and write a subject and a message."))
    union = form.union.data or ""
    sent = ops.message_union(group, union, form.subject.data or "", form.body.data or "", g.member)
    return web.done(
        _(
            "Sent to %(sent)s member(s) in %(union)s; %(skipped)s without e-mail consent skipped.",
            sent=sent.sent,
            union=union,
            skipped=sent.skipped,
        ),
        "unions.index",
    )


@bp.route("/unions/me", methods=["GET", "POST"])
@member_required
def me() -> ResponseReturnValue:
    details = ops.details_for(g.member)
    form = DetailsForm(obj=details)
    if request.method == "GET" and details is not None:
        form.rep_role.data = details.rep_role or ""
    answer = web.submit(
        form,
        lambda: ops.declare(g.member, form.sector.data or "", form.rep_role.data or ""),
        lambda _details: web.done(_("Saved."), "unions.me"),
    )
    return answer or web.form_page("unions/me.html", form=form)
