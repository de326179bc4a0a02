"""Sign in and out (by password or by a mailed link), invite (one address or everyone without an
account) and accept an invitation, reset a password, confirm an address."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node import mail_outcome, web
from node.auth import bulk_invite, links
from node.auth import operations as ops
from node.auth.forms import (
    AcceptInvitationForm,
    InviteForm,
    ResetForm,
    ResetRequestForm,
    SignInForm,
    SigninLinkRequestForm,
    UseSigninLinkForm,
)
from node.auth.models import InvitationRun, InvitationRunItem
from node.auth.redirects import safe_next
from node.errors import Invalid, NotFound
from node.extensions import db, limiter
from node.forms import EmptyForm
from node.members.access import account_required, officer_required, public, sign_in
from node.members.models import Account
from node.tenancy import current_group, get_or_404, scoped

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
    error_message=lambda: _(
        "Too many links were asked for this address just now. Wait a few minutes, "
        "then look in your inbox (and spam folder) for the links already sent."
    ),
)


def _same(account: Account) -> Account:
    """The answer of a form whose operation returns the account to sign in."""
    return account


def _next_or_home() -> str:
    """The ``next`` target if it is a same-site path (below the group's root), else the
    dashboard (node.auth.redirects says why the check is strict)."""
    target = safe_next(request.args.get("next"))
    return request.script_root + target if target else url_for("home.index")


@bp.route("/signin", methods=["GET", "POST"])
@public
@failures_limited
def signin() -> ResponseReturnValue:
    form = SignInForm()
    link_form = SigninLinkRequestForm(formdata=None)
    if form.validate_on_submit():
        try:
            account = ops.authenticate(form.email.data, form.password.data)
        except Invalid as exc:
            db.session.rollback()
            flash(exc.message, "error")
            return render_template("auth/signin.html", form=form, link_form=link_form), 401
        db.session.commit()
        sign_in(account)
        return redirect(_next_or_home())
    return web.form_page("auth/signin.html", form=form, link_form=link_form)


@bp.route("/signin/link", methods=["GET", "POST"])
@public
@failures_limited
@mails_limited
def signin_link_request() -> ResponseReturnValue:
    """Ask for a sign-in link by e-mail. The answer is the same whether or not the address is
    known here (no probing for who has an account or is on a roster)."""
    form = SigninLinkRequestForm()
    if form.validate_on_submit():
        links.request_signin_link(g.get("group"), form.email.data)
        db.session.commit()
        return render_template("auth/link_sent.html")
    return web.form_page("auth/link_request.html", form=form)


@bp.route("/signin/link/<token>", methods=["GET", "POST"])
@public
@failures_limited
def signin_link(token: str) -> ResponseReturnValue:
    """Use a mailed sign-in (or account set-up) link: a button, so that mail scanners opening
    the link do not use it up; a password may be chosen on the way (node.auth.links)."""
    group = g.get("group")
    try:
        link = links.find_link(group, token)
    except NotFound as exc:
        return render_template("auth/link_invalid.html", message=exc.message), 404
    form = UseSigninLinkForm()
    account = web.submit(
        form, lambda: links.use_link(group, token, form.password.data or None), _same
    )
    if account is not None:
        sign_in(account)
        return web.done(_("You are signed in."), "home.index")
    has_account = ops.account_for_email(link.email) is not None
    return web.form_page("auth/link_use.html", form=form, link=link, has_account=has_account)


@bp.route("/signout", methods=["POST"])
@account_required
def signout() -> ResponseReturnValue:
    if EmptyForm().validate_on_submit():
        session.clear()
        flash(_("You are signed out."), "info")
    return redirect(url_for("auth.signin"))


@bp.route("/signout/everywhere", methods=["POST"])
@account_required
def signout_everywhere() -> ResponseReturnValue:
    """End every session of the account (a lost phone, a shared computer), this one included."""
    if EmptyForm().validate_on_submit():
        ops.end_all_sessions(g.account)
        db.session.commit()
        session.clear()
        flash(_("You are signed out everywhere."), "info")
    return redirect(url_for("auth.signin"))


@bp.route("/members/invite", methods=["GET", "POST"])
@officer_required
def invite() -> ResponseReturnValue:
    form = InviteForm()
    invited = web.submit(
        form,
        lambda: ops.create_invitation(current_group(), form.email.data, form.role.data, g.member),
        lambda issued: render_template("members/invited.html", issued=issued),
    )
    return invited if invited is not None else web.form_page("members/invite.html", form=form)


@bp.route("/members/invite-everyone", methods=["GET", "POST"])
@officer_required
def invite_everyone() -> ResponseReturnValue:
    """Preview who would be invited (and who is skipped, why); confirm to queue the mails."""
    group = current_group()
    form = EmptyForm()
    if form.validate_on_submit():
        if not mail_outcome.mail_enabled():
            flash(_("Nothing was sent: mail is switched off on this server."), "warning")
            return redirect(url_for("auth.invite_everyone"))
        run = bulk_invite.start_run(group, g.member)
        if run.total == 0:
            db.session.rollback()
            flash(_("Nobody to invite: everyone is signed up, skipped or already invited."), "info")
            return redirect(url_for("auth.invite_everyone"))
        message = _("%(count)s invitation(s) queued: they are being sent now.", count=run.total)
        return web.done(message, "auth.invite_everyone_run", run_id=run.id)
    runs = db.session.scalars(
        scoped(InvitationRun)
        .order_by(InvitationRun.created_at.desc(), InvitationRun.id.desc())
        .limit(20)
    ).all()
    return render_template(
        "members/invite_everyone.html",
        form=form,
        mail_on=mail_outcome.mail_enabled(),
        preview=bulk_invite.preview(group),
        reasons=bulk_invite.SKIP_REASONS,
        runs=[(run, bulk_invite.progress(run)) for run in runs],
    )


@bp.route("/members/invite-everyone/<int:run_id>")
@officer_required
def invite_everyone_run(run_id: int) -> ResponseReturnValue:
    """One run's progress and send log (who was sent what when, failures)."""
    run = get_or_404(InvitationRun, run_id)
    items = web.paginate(
        scoped(InvitationRunItem)
        .where(InvitationRunItem.run_id == run.id)
        .order_by(InvitationRunItem.id),
        50,
    )
    counts = bulk_invite.progress(run)
    response = make_response(
        render_template(
            "members/invite_everyone_run.html", run=run, counts=counts, **items.context("items")
        )
    )
    if counts["pending"]:
        response.headers["Refresh"] = "10"  # progress without JavaScript
    return response


@bp.route("/invite/<token>", methods=["GET", "POST"])
@public
@failures_limited
def accept_invitation(token: str) -> ResponseReturnValue:
    """Join a group. Never signs in to an existing account (node.auth.operations says why)."""
    group = current_group()
    try:
        invitation = ops.find_invitation(group, token)
    except NotFound as exc:
        return render_template("auth/invitation_invalid.html", message=exc.message), 404
    signed_in = g.get("account")
    existing = ops.account_for_email(invitation.email)
    if signed_in is not None:
        state = "accept" if existing is not None and signed_in.id == existing.id else "other"
    else:
        state = "signin" if existing is not None else "create"
    form = AcceptInvitationForm()
    account = web.submit(
        form,
        lambda: ops.accept_invitation(
            group, token, form.name.data, form.password.data or None, signed_in=signed_in
        ),
        _same,
    )
    if account is not None:
        if signed_in is None:
            sign_in(account)  # a new account, made just now by this person
        return web.done(_("Welcome to %(group)s!", group=group.name), "home.index")
    return web.form_page(
        "auth/accept.html",
        form=form,
        invitation=invitation,
        group=group,
        state=state,
        signin_url=url_for("auth.signin", next=request.path),
    )


@bp.route("/reset", methods=["GET", "POST"])
@public
@failures_limited
@mails_limited
def reset_request() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        links.request_password_reset(g.get("group"), form.email.data)
        return web.done(_("If that address is known here, a link is on its way."), "auth.signin")
    return web.form_page("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
@failures_limited
def reset(token: str) -> ResponseReturnValue:
    form = ResetForm()
    account = web.submit(form, lambda: ops.reset_password(token, form.password.data), _same)
    if account is not None:
        sign_in(account)
        return web.done(_("Your password is changed."), "home.index")
    return web.form_page("auth/reset.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
@account_required
@failures_limited
def confirm_email(token: str) -> ResponseReturnValue:
    """Confirm the signed-in account's address with the link mailed to it."""
    form = EmptyForm()
    confirmed = web.submit(
        form,
        lambda: ops.confirm_email(token, g.account),
        lambda _account: web.done(_("Thank you: your e-mail address is confirmed."), "home.index"),
    )
    return confirmed if confirmed is not None else web.form_page("auth/confirm.html", form=form)
