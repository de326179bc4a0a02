"""Programme pages: list, detail with sessions and materials, enrolment and completion."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node import web
from node.education import operations as ops
from node.education.forms import MaterialForm, ProgrammeForm
from node.education.models import KINDS, Programme
from node.forms import EmptyForm
from node.members.access import member_required, organiser_required
from node.tenancy import current_group, get_or_404

bp = Blueprint("education", __name__)


@bp.route("/education")
@member_required
def index() -> ResponseReturnValue:
    filters = web.filters("kind", "q")
    found = web.paginate(ops.programme_query(current_group(), **filters))
    return render_template(
        "education/index.html", **found.context("items"), filters=filters, kinds=KINDS
    )


def _save(programme: Programme | None) -> ResponseReturnValue:
    form = ProgrammeForm(obj=programme)
    answer = web.submit(
        form,
        lambda: ops.save_programme(current_group(), programme, form.data, g.member),
        lambda saved: web.done("", "education.show", programme_id=saved.id),
    )
    return answer or web.form_page("education/form.html", form=form, programme=programme)


@bp.route("/education/new", methods=["GET", "POST"])
@organiser_required
def new() -> ResponseReturnValue:
    return _save(None)


@bp.route("/education/<int:programme_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(programme_id: int) -> ResponseReturnValue:
    return _save(get_or_404(Programme, programme_id))


@bp.route("/education/<int:programme_id>")
@member_required
def show(programme_id: int) -> ResponseReturnValue:
    programme = get_or_404(Programme, programme_id)
    mine = next((e for e in programme.enrolments if e.member_id == g.member.id), None)
    sessions = ops.sessions(programme)
    return render_template(
        "education/show.html",
        programme=programme,
        mine=mine,
        sessions=sessions,
        attended=ops.attendance(sessions),
        form=EmptyForm(),
        material_form=MaterialForm(),
    )


def _post(programme_id: int) -> Programme:
    programme = get_or_404(Programme, programme_id)
    web.check_form()
    return programme


@bp.route("/education/<int:programme_id>/enrol", methods=["POST"])
@member_required
def enrol(programme_id: int) -> ResponseReturnValue:
    programme = _post(programme_id)
    ops.enrol(programme, g.member)
    return web.done(
        _("You are enrolled on %(title)s.", title=programme.title),
        "education.show",
        programme_id=programme.id,
    )


@bp.route("/education/<int:programme_id>/leave", methods=["POST"])
@member_required
def leave(programme_id: int) -> ResponseReturnValue:
    programme = _post(programme_id)
    ops.leave(programme, g.member)
    return web.done(_("You have left the programme."), "education.show", programme_id=programme.id)


@bp.route("/education/<int:programme_id>/materials", methods=["POST"])
@organiser_required
def add_material(programme_id: int) -> ResponseReturnValue:
    programme = get_or_404(Programme, programme_id)
    form = MaterialForm()
    if not form.validate_on_submit():
        abort(400, _("A material needs a title and a link."))
    ops.add_material(programme, form.title.data or "", form.url.data or "")
    return web.done("", "education.show", programme_id=programme.id)


@bp.route("/education/<int:programme_id>/enrolments/<int:enrolment_id>/complete", methods=["POST"])
@organiser_required
def complete(programme_id: int, enrolment_id: int) -> ResponseReturnValue:
    programme = _post(programme_id)
    ops.set_completed(programme, enrolment_id, request.form.get("done") != "0", g.member)
    return web.done("", "education.show", programme_id=programme.id)


@bp.route("/education/<int:programme_id>/enrolments.csv")
@organiser_required
def enrolments_csv(programme_id: int) -> ResponseReturnValue:
    programme = get_or_404(Programme, programme_id)
    return web.csv_download(ops.enrolments_table(programme), f"programme-{programme.id}.csv")
