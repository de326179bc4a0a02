"""The public home page (the group's ``/`` for anonymous visitors, via node.home), the join form
(``/join``, a contract), its confirmation link, and the officers' public-page settings and queue
of join requests."""

from __future__ import annotations

from collections.abc import Callable

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from node.extensions import db, limiter
from node.forms import EmptyForm
from node.groups.models import Group
from node.members.access import officer_required, public
from node.members.models import Member
from node.public import listings
from node.public import operations as ops
from node.public.forms import JoinForm, MergeForm, PublicPageForm
from node.public.models import MembershipApplication
from node.richtext import render
from node.tenancy import current_group, get_or_404, group_url, scoped
from node.web import check_form, done, form_page, paginate

bp = Blueprint("public", __name__)


def _node_group() -> Group:
    group = current_group()
    if group.is_hub:
        abort(404)
    return group


def _join_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def home_page(group: Group) -> str:
    """The group's public home page: called by node.home for visitors who are not signed in."""
    prof = ops.profile(group)
    rooms = listings.room_listings(group)
    return render_template(
        "public/home.html",
        group=group,
        description=render(prof.description),
        join_open=prof.join_open,
        events=[event for listing in rooms for event in listing.events],
        campaigns=[campaign for listing in rooms for campaign in listing.campaigns],
        endorsements=listings.endorsements(group),
        feed_url=group_url(group, "/events.ics"),
    )


@bp.route("/join", methods=["GET", "POST"])
@public
@limiter.limit(_join_limit, methods=["POST"])
def join() -> ResponseReturnValue:
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
    auto_accept = ops.profile(group).auto_accept
    return form_page("public/join.html", form=form, group=group, auto_accept=auto_accept)


@bp.route("/join/sent")
@public
def sent() -> str:
    """The one answer to every join request (anti-enumeration: it never says more)."""
    return render_template("public/join_sent.html", group=_node_group(), days=ops.CONFIRM_DAYS)


@bp.route("/join/confirm/<token>", methods=["GET", "POST"])
@public
def confirm(token: str) -> ResponseReturnValue:
    """GET shows a button, POST confirms: mail scanners that open links do not confirm."""
    group = _node_group()
    application = ops.by_token(group, token)
    if application is None:
        return render_template("public/confirm_invalid.html", group=group), 404
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400, _("The form expired; please open the link from your e-mail again."))
        ops.confirm(group, application)
        db.session.commit()
        return render_template(
            "public/confirmed.html", group=group, member=application.status != "pending"
        )
    return render_template("public/confirm.html", group=group, application=application, form=form)


@bp.route("/public/events/<int:event_id>.ics")
@public
def event_ics(event_id: int) -> Response:
    """One public event as an iCalendar file ("add to calendar")."""
    calendar = listings.calendar_file(_node_group(), event_id)
    if calendar is None:
        abort(404)
    return Response(
        calendar,
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="event-{event_id}.ics"'},
    )


@bp.route("/public/settings", methods=["GET", "POST"])
@officer_required
def settings() -> ResponseReturnValue:
    group = _node_group()
    prof = ops.profile(group)
    form = PublicPageForm(obj=prof, results_public=group.results_public)
    if form.validate_on_submit():
        ops.update_profile(group, form.data, g.member)
        return done(_("The public page is saved."), "public.settings")
    return form_page("public/settings.html", form=form, preview=render(prof.description))


@bp.route("/public/applications")
@officer_required
def applications() -> str:
    group = _node_group()
    ops.purge_expired(group)
    db.session.commit()
    stmt = (
        scoped(MembershipApplication)
        .where(MembershipApplication.status == "pending")
        .order_by(MembershipApplication.confirmed_at, MembershipApplication.id)
    )
    found = paginate(stmt)
    unconfirmed = db.session.scalar(
        scoped(MembershipApplication)
        .where(MembershipApplication.status == "unconfirmed")
        .with_only_columns(db.func.count())
    )
    return render_template(
        "public/applications.html",
        **found.context("items"),
        unconfirmed=unconfirmed or 0,
        auto_accept=ops.profile(group).auto_accept,
    )


@bp.route("/public/applications/<int:application_id>")
@officer_required
def application(application_id: int) -> str:
    group = _node_group()
    item = get_or_404(MembershipApplication, application_id)
    twin = ops.member_with_email(group, item.email)
    merge_form = MergeForm(data={"email": item.email})
    return render_template(
        "public/application.html", item=item, twin=twin, form=EmptyForm(), merge_form=merge_form
    )


def _decided(
    application_id: int,
    decide: Callable[[Group, MembershipApplication, Member], object],
    message: str,
) -> Response:
    group = _node_group()
    item = get_or_404(MembershipApplication, application_id)
    check_form()
    decide(group, item, g.member)
    return done(message, "public.applications")


@bp.route("/public/applications/<int:application_id>/approve", methods=["POST"])
@officer_required
def approve(application_id: int) -> Response:
    return _decided(
        application_id,
        ops.approve,
        _("Approved: the new member is on the roster and has been sent a welcome e-mail."),
    )


@bp.route("/public/applications/<int:application_id>/decline", methods=["POST"])
@officer_required
def decline(application_id: int) -> Response:
    return _decided(
        application_id,
        ops.decline,
        _("Declined: the request and the details in it are deleted."),
    )


@bp.route("/public/applications/<int:application_id>/merge", methods=["POST"])
@officer_required
def merge(application_id: int) -> Response:
    group = _node_group()
    item = get_or_404(MembershipApplication, application_id)
    form = MergeForm()
    if not form.validate_on_submit():
        flash(_("Give the e-mail address of a member on the roster."), "error")
        return redirect(url_for("public.application", application_id=application_id))
    target = ops.member_with_email(group, form.email.data)
    if target is None:
        flash(_("No member on the roster has that e-mail address."), "error")
        return redirect(url_for("public.application", application_id=application_id))
    ops.merge(group, item, target, g.member)
    return done(_("Merged into %(name)s's record.", name=target.name), "public.applications")
