"""Programme pages: list, detail with sessions and materials, enrolment and completion."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from node.auth.access import member_required, organiser_required
from node.campaigns.views import csv_response, refuse
from node.education import operations as ops
from node.education.forms import MaterialForm, ProgrammeForm
from node.education.models import KINDS, Programme
from node.extensions import db
from node.forms import EmptyForm
from node.members.views import paginate
from node.tenancy import current_group, get_or_404

bp = Blueprint("education", __name__)


@bp.route("/education")
@member_required
def index():  # type: ignore[no-untyped-def]
    filters = {k: request.args.get(k, "").strip()[:120] for k in ("kind", "q")}
    programmes, page, pages, total = paginate(ops.programme_query(current_group(), **filters))
    return render_template(
        "education/index.html",
        programmes=programmes,
        page=page,
        pages=pages,
        total=total,
        filters=filters,
        kinds=KINDS,
    )


def _save(programme: Programme | None):  # type: ignore[no-untyped-def]
    form = ProgrammeForm(obj=programme)
    if form.validate_on_submit():
        try:
            saved = ops.save_programme(current_group(), programme, form.data, g.member)
        except ops.EducationError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return redirect(url_for("education.show", programme_id=saved.id))
    return render_template("education/form.html", form=form, programme=programme), (
        400 if request.method == "POST" else 200
    )


@bp.route("/education/new", methods=["GET", "POST"])
@organiser_required
def new():  # type: ignore[no-untyped-def]
    return _save(None)


@bp.route("/education/<int:programme_id>/edit", methods=["GET", "POST"])
@organiser_required
def edit(programme_id: int):  # type: ignore[no-untyped-def]
    return _save(get_or_404(Programme, programme_id))


@bp.route("/education/<int:programme_id>")
@member_required
def show(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_or_404(Programme, programme_id)
    mine = next((e for e in programme.enrolments if e.member_id == g.member.id), None)
    return render_template(
        "education/show.html",
        programme=programme,
        mine=mine,
        sessions=ops.sessions(programme),
        attended=ops.attendance(programme),
        form=EmptyForm(),
        material_form=MaterialForm(),
    )


def _post(programme_id: int) -> Programme:
    programme = get_or_404(Programme, programme_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    return programme


@bp.route("/education/<int:programme_id>/enrol", methods=["POST"])
@member_required
def enrol(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _post(programme_id)
    try:
        ops.enrol(programme, g.member)
    except ops.EducationError as exc:
        refuse(exc, 409)
    db.session.commit()
    flash(f"You are enrolled on {programme.title}.", "info")
    return redirect(url_for("education.show", programme_id=programme.id))


@bp.route("/education/<int:programme_id>/leave", methods=["POST"])
@member_required
def leave(programme_id: int):  # type: ignore[no-untyped-def]
    programme = _post(programme_id)
    try:
        ops.leave(programme, g.member)
    except ops.EducationError as exc:
        refuse(exc, 409)
    db.session.commit()
    flash("You have left the programme.", "info")
    return redirect(url_for("education.show", programme_id=programme.id))


@bp.route("/education/<int:programme_id>/materials", methods=["POST"])
@organiser_required
def add_material(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_or_404(Programme, programme_id)
    form = MaterialForm()
    if not form.validate_on_submit():
        abort(400, "A material needs a title and a link.")
    try:
        ops.add_material(programme, form.title.data, form.url.data)
    except ops.EducationError as exc:
        refuse(exc)
    db.session.commit()
    return redirect(url_for("education.show", programme_id=programme.id))


@bp.route("/education/<int:programme_id>/enrolments/<int:enrolment_id>/complete", methods=["POST"])
@organiser_required
def complete(programme_id: int, enrolment_id: int):  # type: ignore[no-untyped-def]
    programme = _post(programme_id)
    try:
        ops.set_completed(programme, enrolment_id, request.form.get("done") != "0", g.member)
    except ops.EducationError as exc:
        refuse(exc, 404)
    db.session.commit()
    return redirect(url_for("education.show", programme_id=programme.id))


@bp.route("/education/<int:programme_id>/enrolments.csv")
@organiser_required
def enrolments_csv(programme_id: int):  # type: ignore[no-untyped-def]
    programme = get_or_404(Programme, programme_id)
    return csv_response(ops.enrolments_csv(programme), f"programme-{programme.id}.csv")
