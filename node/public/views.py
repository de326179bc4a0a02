"""The public home page (the group's ``/`` for anonymous visitors, via node.home), the join form
(``/join``, a contract), its confirmation link, and the officers' public-page settings and queue
of join requests."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy.exc import IntegrityError

from node.auth.access import officer_required, public
from node.extensions import db, limiter
from node.forms import EmptyForm
from node.groups.models import Group
from node.members.views import paginate
from node.public import listings
from node.public import operations as ops
from node.public.forms import JoinForm, MergeForm, PublicPageForm
from node.public.markdown import render
from node.public.models import MembershipApplication
from node.tenancy import current_group, get_or_404, group_url, scoped

bp = Blueprint("public", __name__)


def _node_group() -> Group:
    group = current_group()
    if group.is_hub:
        abort(404)
    return group


def _join_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def home_page(group: Group) -> Any:
    """The group's public home page: called by node.home for visitors who are not signed in."""
    prof = ops.profile(group)
    return render_template(
        "public/home.html",
        group=group,
        description=render(prof.description),
        join_open=prof.join_open,
        events=listings.upcoming_events(group),
        campaigns=listings.campaigns(group),
        endorsements=listings.endorsements(group),
        feed_url=group_url(group, "/events.ics"),
    )


@bp.route("/join", methods=["GET", "POST"])
@public
@limiter.limit(_join_limit, methods=["POST"])
def join():  # type: ignore[no-untyped-def]
    group = _node_group()
    if not ops.profile(group).join_open:
        return render_template("public/join_closed.html", group=group)
    form = JoinForm()
    if form.validate_on_submit():
        if form.website.data:  # the honeypot: a robot. Same answer, nothing kept or sent.
            return redirect(url_for("public.sent"))
        who = ops.Applicant(
            name=form.name.data,
            email=form.email.data,
            ward=form.ward.data,
            union=form.union.data,
            phone=form.phone.data,
            consent_email=bool(form.consent_email.data),
            consent_phone=bool(form.consent_phone.data),
            consent_data=bool(form.consent_data.data),
        )
        try:
            ops.submit(group, who)
            db.session.commit()
        except IntegrityError:  # the same address twice at once: the other one won
            db.session.rollback()
        return redirect(url_for("public.sent"))
    status = 400 if request.method == "POST" else 200
    auto_accept = ops.profile(group).auto_accept
    return render_template(
        "public/join.html", form=form, group=group, auto_accept=auto_accept
    ), status


@bp.route("/join/sent")
@public
def sent():  # type: ignore[no-untyped-def]
    """The one answer to every join request (anti-enumeration: it never says more)."""
    return render_template("public/join_sent.html", group=_node_group(), days=ops.CONFIRM_DAYS)


@bp.route("/join/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str):  # type: ignore[no-untyped-def]
    """GET shows a button, POST confirms: mail scanners that open links do not confirm."""
    group = _node_group()
    application = ops.by_token(group, token)
    if application is None:
        return render_template("public/confirm_invalid.html", group=group), 404
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, "The form expired; please open the link from your e-mail again.")
        ops.confirm(group, application)
        db.session.commit()
        return render_template(
            "public/confirmed.html", group=group, member=application.status != "pending"
        )
    return render_template("public/confirm.html", group=group, application=application, form=form)


@bp.route("/public/events/<int:event_id>.ics")
@public
def event_ics(event_id: int):  # type: ignore[no-untyped-def]
    """One public event as an iCalendar file ("add to calendar")."""
    from node.events.feeds import single_event

    group = _node_group()
    event = listings.public_event(group, event_id)
    if event is None:
        abort(404)
    return Response(
        single_event(group, event),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event.id}.ics"'},
    )


@bp.route("/public/settings", methods=["GET", "POST"])
@officer_required
def settings():  # type: ignore[no-untyped-def]
    group = _node_group()
    prof = ops.profile(group)
    form = PublicPageForm(obj=prof)
    if form.validate_on_submit():
        ops.update_profile(group, form.data, g.member)
        db.session.commit()
        flash("The public page is saved.", "info")
        return redirect(url_for("public.settings"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "public/settings.html", form=form, preview=render(prof.description)
    ), status


@bp.route("/public/applications")
@officer_required
def applications():  # type: ignore[no-untyped-def]
    group = _node_group()
    ops.purge_expired(group)
    db.session.commit()
    stmt = (
        scoped(MembershipApplication)
        .where(MembershipApplication.status == "pending")
        .order_by(MembershipApplication.confirmed_at, MembershipApplication.id)
    )
    items, page, pages, total = paginate(stmt)
    unconfirmed = db.session.scalar(
        scoped(MembershipApplication)
        .where(MembershipApplication.status == "unconfirmed")
        .with_only_columns(db.func.count())
    )
    return render_template(
        "public/applications.html",
        items=items,
        page=page,
        pages=pages,
        total=total,
        unconfirmed=unconfirmed or 0,
        auto_accept=ops.profile(group).auto_accept,
    )


def _application(application_id: int) -> MembershipApplication:
    return get_or_404(MembershipApplication, application_id)


@bp.route("/public/applications/<int:application_id>")
@officer_required
def application(application_id: int):  # type: ignore[no-untyped-def]
    group = _node_group()
    item = _application(application_id)
    twin = ops.same_email_member(group, item)
    merge_form = MergeForm(data={"email": item.email})
    return render_template(
        "public/application.html", item=item, twin=twin, form=EmptyForm(), merge_form=merge_form
    )


def _decided(application_id: int, do: Any, done: str) -> Any:
    group = _node_group()
    item = _application(application_id)
    if not EmptyForm().validate_on_submit():
        abort(400, "The form expired; please try again.")
    try:
        do(group, item)
    except ops.ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("public.application", application_id=application_id))
    db.session.commit()
    flash(done, "info")
    return redirect(url_for("public.applications"))


@bp.route("/public/applications/<int:application_id>/approve", methods=["POST"])
@officer_required
def approve(application_id: int):  # type: ignore[no-untyped-def]
    return _decided(
        application_id,
        lambda group, item: ops.approve(group, item, g.member),
        "Approved: the new member is on the roster and has been sent a welcome e-mail.",
    )


@bp.route("/public/applications/<int:application_id>/decline", methods=["POST"])
@officer_required
def decline(application_id: int):  # type: ignore[no-untyped-def]
    return _decided(
        application_id,
        lambda group, item: ops.decline(group, item, g.member),
        "Declined: the request and the details in it are deleted.",
    )


@bp.route("/public/applications/<int:application_id>/merge", methods=["POST"])
@officer_required
def merge(application_id: int):  # type: ignore[no-untyped-def]
    group = _node_group()
    item = _application(application_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash("Give the e-mail address of a member on the roster.", "error")
        return redirect(url_for("public.application", application_id=application_id))
    target = ops.member_by_email(group, form.email.data)
    if target is None:
        flash("No member on the roster has that e-mail address.", "error")
        return redirect(url_for("public.application", application_id=application_id))
    try:
        ops.merge(group, item, target, g.member)
    except ops.ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("public.application", application_id=application_id))
    db.session.commit()
    flash(f"Merged into {target.name}'s record.", "info")
    return redirect(url_for("public.applications"))
