"""Sign in and out, accept an invitation, reset a password."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from sqlalchemy import select

from node.auth import operations as ops
from node.auth.access import account_required, public, sign_in
from node.auth.forms import AcceptInvitationForm, EmptyForm, ResetForm, ResetRequestForm, SignInForm
from node.extensions import db, limiter
from node.members.models import Account
from node.tenancy import current_group

bp = Blueprint("auth", __name__)


def _signin_limit() -> str:
    return current_app.config["SIGNIN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    """Only same-site paths (relative to the group's root); anything else goes to the dashboard."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return request.script_root + target
    return url_for("home.index")


@bp.route("/signin", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"])
def signin():  # type: ignore[no-untyped-def]
    form = SignInForm()
    if form.validate_on_submit():
        try:
            account = ops.authenticate(form.email.data, form.password.data)
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/signin.html", form=form), 401
        db.session.commit()
        sign_in(account)
        return redirect(_safe_next(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signin.html", form=form), status


@bp.route("/signout", methods=["POST"])
@account_required
def signout():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if form.validate_on_submit():
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.signin"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"])
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    group = current_group()
    try:
        invitation = ops.find_invitation(group, token)
    except ops.AuthError as exc:
        return render_template("auth/invitation_invalid.html", message=str(exc)), 404
    existing = db.session.scalar(select(Account).where(Account.email == invitation.email))
    has_password = existing is not None and existing.password_hash is not None
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            account = ops.accept_invitation(
                group, token, form.name.data, form.password.data or None
            )
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            sign_in(account)
            flash(f"Welcome to {group.name}!", "info")
            return redirect(url_for("home.index"))
    return render_template(
        "auth/accept.html", form=form, invitation=invitation, group=group, has_password=has_password
    ), (400 if request.method == "POST" else 200)


@bp.route("/reset", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"])
def reset_request():  # type: ignore[no-untyped-def]
    form = ResetRequestForm()
    if form.validate_on_submit():
        ops.request_password_reset(g.get("group"), form.email.data)
        db.session.commit()
        flash("If that address has an account, a reset link is on its way.", "info")
        return redirect(url_for("auth.signin"))
    return render_template("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@limiter.limit(_signin_limit, methods=["POST"])
def reset(token: str):  # type: ignore[no-untyped-def]
    form = ResetForm()
    if form.validate_on_submit():
        try:
            account = ops.reset_password(token, form.password.data)
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            sign_in(account)
            flash("Your password is changed.", "info")
            return redirect(url_for("home.index"))
    return render_template("auth/reset.html", form=form)
