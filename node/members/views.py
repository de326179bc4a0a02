"""Roster, member pages, invitations, CSV import/export, own profile and data download."""

from __future__ import annotations

import json
import math

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import func, select

from node import csv_export
from node.auth import bulk_invite
from node.auth import operations as auth_ops
from node.auth.access import member_required, officer_required, organiser_required
from node.auth.models import InvitationRun, InvitationRunItem
from node.extensions import db
from node.forms import EmptyForm
from node.members import csv_io, erasure
from node.members import operations as ops
from node.members.forms import InviteForm, MemberForm, ProfileForm
from node.members.models import ROLES, STATUSES, AuditEntry, Member
from node.tenancy import current_group, get_or_404, scoped

bp = Blueprint("members", __name__)
PAGE_SIZE = 25


def paginate(stmt, page_size: int = PAGE_SIZE):  # type: ignore[no-untyped-def]
    """Run ``stmt`` for the page named in ``?page=``; returns (items, page, pages, total)."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    pages = max(math.ceil(total / page_size), 1)
    page = min(page, pages)
    items = db.session.scalars(stmt.limit(page_size).offset((page - 1) * page_size)).all()
    return items, page, pages, total


@bp.route("/members")
@organiser_required
def roster():  # type: ignore[no-untyped-def]
    group = current_group()
    filters = {
        k: request.args.get(k, "").strip()[:120] for k in ("q", "role", "status", "union", "ward")
    }
    members, page, pages, total = paginate(ops.roster_query(group, **filters))
    return render_template(
        "members/roster.html",
        members=members,
        page=page,
        pages=pages,
        total=total,
        filters=filters,
        roles=ROLES,
        statuses=STATUSES,
        unions=ops.distinct_values(group, Member.union),
        wards=ops.distinct_values(group, Member.ward),
    )


@bp.route("/members/<int:member_id>")
@organiser_required
def show(member_id: int):  # type: ignore[no-untyped-def]
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    return render_template(
        "members/show.html",
        member=member,
        form=EmptyForm(),
        phone=ops.visible_phone(member, g.member),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(member_id: int):  # type: ignore[no-untyped-def]
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    form = MemberForm(obj=member)
    if form.validate_on_submit():
        changes = {f: getattr(form, f).data for f in ops.EDITABLE_BY_OFFICER}
        changes = {
            k: (v.strip() or None) if isinstance(v, str) and k != "name" else v
            for k, v in changes.items()
        }
        try:
            ops.update_member(member, changes, g.member, by_officer=True)
        except ops.MemberError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash("Saved.", "info")
            return redirect(url_for("members.show", member_id=member.id))
    return render_template("members/edit.html", form=form, member=member), (
        400 if request.method == "POST" else 200
    )


@bp.route("/members/<int:member_id>/lapse", methods=["POST"])
@officer_required
def lapse(member_id: int):  # type: ignore[no-untyped-def]
    member = get_or_404(Member, member_id)
    if EmptyForm().validate_on_submit() and member.erased_at is None:
        try:
            ops.lapse_member(member, g.member)
        except ops.MemberError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(f"{member.name} is now lapsed.", "info")
    return redirect(url_for("members.show", member_id=member.id))


@bp.route("/members/<int:member_id>/erase", methods=["GET", "POST"])
@officer_required
def erase(member_id: int):  # type: ignore[no-untyped-def]
    member = get_or_404(Member, member_id)
    if member.erased_at is not None:
        abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            ops.erase_member(member, g.member)
        except ops.MemberError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("members.show", member_id=member.id))
        db.session.commit()
        flash("The member was removed and their personal data erased.", "info")
        return redirect(url_for("members.roster"))
    return render_template(
        "members/erase.html", member=member, form=form, summary=erasure.summary(member)
    )


@bp.route("/members/invite", methods=["GET", "POST"])
@officer_required
def invite():  # type: ignore[no-untyped-def]
    form = InviteForm()
    if form.validate_on_submit():
        try:
            issued = auth_ops.create_invitation(
                current_group(), form.email.data, form.role.data, g.member
            )
        except auth_ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            return render_template("members/invited.html", issued=issued)
    return render_template("members/invite.html", form=form)


@bp.route("/members/import", methods=["GET", "POST"])
@officer_required
def import_csv():  # type: ignore[no-untyped-def]
    """Upload a CSV, check the preview and column mapping, then import (node.members.csv_web)."""
    from node.members import csv_web

    return csv_web.handle()


@bp.route("/members/export.csv")
@officer_required
def export_csv():  # type: ignore[no-untyped-def]
    group = current_group()
    return csv_export.response(csv_io.export_members(group), f"{group.slug}-members.csv")


@bp.route("/audit")
@officer_required
def audit():  # type: ignore[no-untyped-def]
    entries, page, pages, total = paginate(
        scoped(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()), 50
    )
    return render_template(
        "members/audit.html", entries=entries, page=page, pages=pages, total=total
    )


@bp.route("/profile", methods=["GET", "POST"])
@member_required
def profile():  # type: ignore[no-untyped-def]
    member = g.member
    form = ProfileForm(obj=member)
    if form.validate_on_submit():
        changes = {f: getattr(form, f).data for f in ops.EDITABLE_BY_SELF}
        changes = {
            k: (v.strip() or None) if isinstance(v, str) and k != "name" else v
            for k, v in changes.items()
        }
        ops.update_member(member, changes, member, by_officer=False)
        db.session.commit()
        flash("Your profile is saved.", "info")
        return redirect(url_for("members.profile"))
    return render_template("members/profile.html", form=form, member=member)


@bp.route("/profile/data.json")
@member_required
def my_data():  # type: ignore[no-untyped-def]
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
def leave():  # type: ignore[no-untyped-def]
    """Leave the group: a page saying exactly what is erased and what is kept, then the same
    erasure as an officer's. Afterwards the person is no longer a member here; if their account
    went too (no other group uses it) they are signed out altogether."""
    member, group = g.member, current_group()
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            account_gone = ops.leave_group(member)
        except ops.MemberError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("members.leave"))
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


@bp.route("/members/invite-everyone", methods=["GET", "POST"])
@officer_required
def invite_everyone():  # type: ignore[no-untyped-def]
    """Preview who would be invited (and who is skipped, why); confirm to queue the mails."""
    group = current_group()
    form = EmptyForm()
    if form.validate_on_submit():
        run = bulk_invite.start_run(group, g.member)
        if run.total == 0:
            db.session.rollback()
            flash("Nobody to invite: everyone is signed up, skipped or already invited.", "info")
            return redirect(url_for("members.invite_everyone"))
        db.session.commit()
        flash(f"{run.total} invitation(s) queued: they are being sent now.", "info")
        return redirect(url_for("members.invite_everyone_run", run_id=run.id))
    runs = db.session.scalars(
        scoped(InvitationRun)
        .order_by(InvitationRun.created_at.desc(), InvitationRun.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "members/invite_everyone.html",
        form=form,
        preview=bulk_invite.preview(group),
        reasons=bulk_invite.SKIP_REASONS,
        runs=[(run, bulk_invite.progress(run)) for run in runs],
    )


@bp.route("/members/invite-everyone/<int:run_id>")
@officer_required
def invite_everyone_run(run_id: int):  # type: ignore[no-untyped-def]
    """One run's progress and send log (who was sent what when, failures)."""
    run = get_or_404(InvitationRun, run_id)
    items, page, pages, total = paginate(
        scoped(InvitationRunItem)
        .where(InvitationRunItem.run_id == run.id)
        .order_by(InvitationRunItem.id),
        50,
    )
    counts = bulk_invite.progress(run)
    response = make_response(
        render_template(
            "members/invite_everyone_run.html",
            run=run,
            counts=counts,
            items=items,
            page=page,
            pages=pages,
            total=total,
        )
    )
    if counts["pending"]:
        response.headers["Refresh"] = "10"  # progress without JavaScript
    return response
