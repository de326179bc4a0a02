"""Roster, member pages, CSV import/export, the audit log, own profile and data download."""

from __future__ import annotations

import json
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node import web
from node.audit import AuditEntry
from node.errors import Invalid
from node.extensions import db
from node.forms import EmptyForm
from node.members import audit_words, csv_io, erasure
from node.members import operations as ops
from node.members.access import member_required, officer_required, organiser_required
from node.members.data_page import readable as data_page_sections
from node.members.forms import MemberForm, ProfileForm
from node.members.models import ROLES, STATUSES, Member
from node.tenancy import current_group, get_or_404, scoped

bp = Blueprint("members", __name__)


def _live(member_id: int) -> Member:
    """The group's member ``member_id``, unless erased (404 either way)."""
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    return member


def _refused(exc: Invalid, endpoint: str, **values: Any) -> ResponseReturnValue:
    """Back to ``endpoint`` with the reason an operation refused (nothing was changed)."""
    db.session.rollback()
    flash(exc.message, "error")
    return redirect(url_for(endpoint, **values))


def _changes(form: ProfileForm, names: tuple[str, ...]) -> dict[str, Any]:
    """The form's values of ``names``; blank optional texts become None (the name stays as is)."""
    values = {name: getattr(form, name).data for name in names}
    return {
        k: (v.strip() or None) if isinstance(v, str) and k != "name" else v
        for k, v in values.items()
    }


@bp.route("/members")
@organiser_required
def roster() -> ResponseReturnValue:
    group = current_group()
    filters = web.filters("q", "role", "status", "union", "ward")
    return render_template(
        "members/roster.html",
        **web.paginate(ops.roster_query(group, **filters)).context("members"),
        filters=filters,
        roles=ROLES,
        statuses=STATUSES,
        unions=ops.distinct_values(group, Member.union),
        wards=ops.distinct_values(group, Member.ward),
    )


@bp.route("/members/<int:member_id>")
@organiser_required
def show(member_id: int) -> ResponseReturnValue:
    member = _live(member_id)
    return render_template(
        "members/show.html",
        member=member,
        form=EmptyForm(),
        phone=ops.visible_phone(member, g.member),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(member_id: int) -> ResponseReturnValue:
    member = _live(member_id)
    form = MemberForm(obj=member)
    saved = web.submit(
        form,
        lambda: ops.update_member(
            member, _changes(form, ops.EDITABLE_BY_OFFICER), g.member, by_officer=True
        ),
        lambda _saved: web.done(_("Saved."), "members.show", member_id=member.id),
    )
    if saved is not None:
        return saved
    return web.form_page("members/edit.html", form=form, member=member)


@bp.route("/members/<int:member_id>/lapse", methods=["GET", "POST"])
@officer_required
def lapse(member_id: int) -> ResponseReturnValue:
    """Say what lapsing changes, then lapse on the confirming POST."""
    member = _live(member_id)
    if member.status == "lapsed":
        return redirect(url_for("members.show", member_id=member.id))
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            ops.lapse_member(member, g.member)
        except Invalid as exc:
            return _refused(exc, "members.show", member_id=member.id)
        return web.done(
            _("%(name)s is now lapsed. Nobody was e-mailed.", name=member.name),
            "members.show",
            member_id=member.id,
        )
    return render_template("members/lapse.html", member=member, form=form)


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@officer_required
def erase(member_id: int) -> ResponseReturnValue:
    member = _live(member_id)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            ops.erase_member(member, g.member)
        except Invalid as exc:
            return _refused(exc, "members.show", member_id=member.id)
        return web.done(
            _("The member was removed and their personal data erased."), "members.roster"
        )
    return render_template(
        "members/erase.html", member=member, form=form, summary=erasure.summary(member)
    )


@bp.route("/members/import", methods=["GET", "POST"])
@officer_required
def import_csv() -> ResponseReturnValue:
    """Upload a CSV, check the preview and column mapping, then import (node.members.csv_web)."""
    from node.members import csv_web

    return csv_web.handle()


@bp.route("/members/export.csv")
@officer_required
def export_csv() -> ResponseReturnValue:
    group = current_group()
    return web.csv_download(csv_io.roster_rows(group), f"{group.slug}-members.csv")


@bp.route("/audit")
@officer_required
def audit() -> ResponseReturnValue:
    entries = web.paginate(
        scoped(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), 50
    )
    lines = audit_words.lines(current_group(), entries.items)
    return render_template("members/audit.html", lines=lines, **entries.context("entries"))


@bp.route("/profile", methods=["GET", "POST"])
@member_required
def profile() -> ResponseReturnValue:
    member = g.member
    form = ProfileForm(obj=member)
    if form.validate_on_submit():
        ops.update_member(member, _changes(form, ops.EDITABLE_BY_SELF), member, by_officer=False)
        return web.done(_("Your profile is saved."), "members.profile")
    return render_template("members/profile.html", form=form, member=member)


@bp.route("/profile/data")
@member_required
def data_page() -> ResponseReturnValue:
    """What the group holds about you, as a page to read; the JSON stays a download."""
    sections = data_page_sections(ops.personal_data(g.member))
    return render_template("members/my_data.html", sections=sections)


@bp.route("/profile/data.json")
@member_required
def my_data() -> ResponseReturnValue:
    body = json.dumps(ops.personal_data(g.member), indent=2, default=str)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": 'attachment; filename="my-data.json"',
            "Cache-Control": "no-store",
        },
    )


@bp.route("/profile/leave", methods=["GET", "POST"])
@member_required
def leave() -> ResponseReturnValue:
    """Leave the group: a page saying exactly what is erased and what is kept, then the same
    erasure as an officer's. Afterwards the person is no longer a member here; if their account
    went too (no other group uses it) they are signed out altogether."""
    member, group = g.member, current_group()
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            account_gone = ops.leave_group(member)
        except Invalid as exc:
            return _refused(exc, "members.leave")
        db.session.commit()
        if account_gone:
            session.clear()
        g.member = None
        return render_template(
            "members/left.html", group_name=group.name, account_gone=account_gone
        )
    return render_template(
        "members/leave.html",
        form=form,
        member=member,
        summary=erasure.summary(member),
        last_officer=ops.is_last_active_officer(member),
    )
