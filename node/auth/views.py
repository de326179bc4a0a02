"""Sign in and out (by password or by a mailed link), accept an invitation, reset a password,
confirm an address."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from node.auth import links
from node.auth import operations as ops
from node.auth.access import account_required, public, sign_in
from node.auth.forms import (
    AcceptInvitationForm,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SigninLinkRequestForm,
    UseSigninLinkForm,
)
from node.auth.redirects import safe_next
from node.extensions import db, limiter
from node.forms import EmptyForm
from node.tenancy import current_group

bp = Blueprint("auth", __name__)


def _signin_limit() -> str:
    return str(current_app.config["SIGNIN_RATE_LIMIT"])


def _failed(response: Response) -> bool:
    """Only refused attempts (4xx) count against the per-connection limit: a meeting hall's
    members share one address, and their good sign-ins must not lock the hall out. Guessing a
    password, a link or a code is still throttled, because every wrong guess is refused."""
    return response.status_code >= 400


def _asked_address() -> str:
    """Key for the per-address limit on mailing links: the address asked for, so nobody can
    flood one inbox whatever connection they use (the per-connection limit counts only
    refusals, because asking for a link is the normal case in a room)."""
    return "address:" + (request.form.get("email") or "").strip().lower()


# Refusals from one connection are throttled; successes are not (see :func:`_failed`).
failures_limited = limiter.limit(_signin_limit, methods=["POST"], deduct_when=_failed)
# Mails to one address are throttled, whoever asks.
mails_limited = limiter.limit(
    _signin_limit,
    methods=["POST"],
    key_func=_asked_address,
    error_message="Too many links were asked for this address just now. Wait a few minutes, "
    "then look in your inbox (and spam folder) for the links already sent.",
)


def _next_or_home() -> str:
    """The ``next`` target if it is a same-site path (below the group's root), else the
    dashboard (node.auth.redirects says why the check is strict)."""
    target = safe_next(request.args.get("next"))
    return request.script_root + target if target else url_for("home.index")


@bp.route("/signin", methods=["GET", "POST"])
@public
@failures_limited
def signin():  # type: ignore[no-untyped-def]
    form = SignInForm()
    link_form = SigninLinkRequestForm(formdata=None)
    if form.validate_on_submit():
        try:
            account = ops.authenticate(form.email.data, form.password.data)
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/signin.html", form=form, link_form=link_form), 401
        db.session.commit()
        sign_in(account)
        return redirect(_next_or_home())
    status = 400 if request.method == "POST" else 200
    return render_template("auth/signin.html", form=form, link_form=link_form), status


@bp.route("/signin/link", methods=["GET", "POST"])
@public
@failures_limited
@mails_limited
def signin_link_request():  # type: ignore[no-untyped-def]
    """Ask for a sign-in link by e-mail. The answer is the same whether or not the address is
    known here (no probing for who has an account or is on a roster)."""
    form = SigninLinkRequestForm()
    if form.validate_on_submit():
        links.request_signin_link(g.get("group"), form.email.data)
        db.session.commit()
        return render_template("auth/link_sent.html")
    status = 400 if request.method == "POST" else 200
    return render_template("auth/link_request.html", form=form), status


@bp.route("/signin/link/<token>", methods=["GET", "POST"])
@public
@failures_limited
def signin_link(token: str):  # type: ignore[no-untyped-def]
    """Use a mailed sign-in (or account set-up) link: a button, so that mail scanners opening
    the link do not use it up; a password may be chosen on the way (node.auth.links)."""
    group = g.get("group")
    try:
        link = links.find_link(group, token)
    except ops.AuthError as exc:
        return render_template("auth/link_invalid.html", message=str(exc)), 404
    has_account = ops.account_for_email(link.email) is not None
    form = UseSigninLinkForm()
    if form.validate_on_submit():
        try:
            account = links.use_link(group, token, form.password.data or None)
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            sign_in(account)
            flash("You are signed in.", "info")
            return redirect(url_for("home.index"))
    return render_template("auth/link_use.html", form=form, link=link, has_account=has_account), (
        400 if request.method == "POST" else 200
    )


@bp.route("/signout", methods=["POST"])
@account_required
def signout():  # type: ignore[no-untyped-def]
    form = EmptyForm()
    if form.validate_on_submit():
        session.clear()
        flash("You are signed out.", "info")
    return redirect(url_for("auth.signin"))


@bp.route("/signout/everywhere", methods=["POST"])
@account_required
def signout_everywhere():  # type: ignore[no-untyped-def]
    """End every session of the account (a lost phone, a shared computer), this one included."""
    form = EmptyForm()
    if form.validate_on_submit():
        ops.end_all_sessions(g.account)
        db.session.commit()
        session.clear()
        flash("You are signed out everywhere.", "info")
    return redirect(url_for("auth.signin"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@failures_limited
def accept_invitation(token: str):  # type: ignore[no-untyped-def]
    """Join a group. Never signs in to an existing account (node.auth.operations says why)."""
    group = current_group()
    try:
        invitation = ops.find_invitation(group, token)
    except ops.AuthError as exc:
        return render_template("auth/invitation_invalid.html", message=str(exc)), 404
    signed_in = g.get("account")
    existing = ops.account_for_email(invitation.email)
    if signed_in is not None:
        state = "accept" if existing is not None and signed_in.id == existing.id else "other"
    else:
        state = "signin" if existing is not None else "create"
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            account = ops.accept_invitation(
                group, token, form.name.data, form.password.data or None, signed_in=signed_in
            )
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if signed_in is None:
                sign_in(account)  # a new account, made just now by this person
            flash(f"Welcome to {group.name}!", "info")
            return redirect(url_for("home.index"))
    return render_template(
        "auth/accept.html",
        form=form,
        invitation=invitation,
        group=group,
        state=state,
        signin_url=url_for("auth.signin", next=request.path),
    ), (400 if request.method == "POST" else 200)


@bp.route("/reset", methods=["GET", "POST"])
@public
@failures_limited
@mails_limited
def reset_request():  # type: ignore[no-untyped-def]
    form = ResetRequestForm()
    if form.validate_on_submit():
        ops.request_password_reset(g.get("group"), form.email.data)
        db.session.commit()
        flash("If that address is known here, a link is on its way.", "info")
        return redirect(url_for("auth.signin"))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@failures_limited
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
    status = 400 if request.method == "POST" else 200
    return render_template("auth/reset.html", form=form), status


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@account_required
@failures_limited
def confirm_email(token: str):  # type: ignore[no-untyped-def]
    """Confirm the signed-in account's address with the link mailed to it."""
    form = EmptyForm()
    if form.validate_on_submit():
        try:
            ops.confirm_email(token, g.account)
        except ops.AuthError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return render_template("auth/confirm.html", form=form), 400
        db.session.commit()
        flash("Thank you: your e-mail address is confirmed.", "info")
        return redirect(url_for("home.index"))
    return render_template("auth/confirm.html", form=form)
