"""Node pages: "Sign in with your national account", its callback, and join requests."""

from __future__ import annotations

from authlib.integrations.base_client import OAuthError
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from federation.errors import FederationError
from node.errors import Conflict, Invalid, OperationError
from node.extensions import db, limiter
from node.forms import EmptyForm
from node.groups.models import Group
from node.members.access import officer_required, public, sign_in
from node.oidc import client as sso
from node.oidc.models import HubConnection, JoinRequest
from node.oidc.operations import hub_connection
from node.tenancy import current_group, get_or_404, scoped

bp = Blueprint("oidc_client", __name__)


def _connection() -> tuple[Group, HubConnection]:
    group = current_group()
    conn = hub_connection(group)
    if conn is None:
        abort(404, _("This group does not offer national sign-in."))
    return group, conn


@bp.route("/signin/national")
@public
@limiter.limit("30 per minute")
def start() -> ResponseReturnValue:
    group, conn = _connection()
    try:
        return sso.oauth_client(group, conn).authorize_redirect(sso.callback_url(group))
    except (OAuthError, ValueError, OSError, FederationError) as exc:
        # FederationError: the fenced back channel refused the address (federation.addresses).
        db.session.rollback()
        flash(
            _(
                "The national sign-in service cannot be reached (%(error)s).",
                error=type(exc).__name__,
            ),
            "error",
        )
        return redirect(url_for("auth.signin"))


@bp.route("/signin/national/callback")
@public
@limiter.limit("30 per minute")
def callback() -> ResponseReturnValue:
    group, conn = _connection()
    try:
        token = sso.oauth_client(group, conn).authorize_access_token()
        claims = token.get("userinfo")
        if not claims:
            raise Invalid(_("The hub sent no ID token."))
        account, member = sso.complete_sign_in(group, conn, dict(claims))
    except OAuthError as exc:
        db.session.rollback()
        reason = exc.error or "error"
        flash(
            _("National sign-in did not complete (%(reason)s). Please try again.", reason=reason),
            "error",
        )
        return redirect(url_for("auth.signin")), 302
    except (ValueError, OSError, FederationError) as exc:  # OperationError is a ValueError
        db.session.rollback()
        ours = isinstance(exc, OperationError)
        flash(str(exc) if ours else _("The hub's answer was not valid."), "error")
        return redirect(url_for("auth.signin"))
    db.session.commit()
    sign_in(account)
    if member is None:
        flash(_("Thanks: an officer of the group will look at your request to join."), "info")
    else:
        flash(
            _("Signed in with your national account. Welcome, %(name)s.", name=member.name),
            "info",
        )
    return redirect(url_for("home.index"))


@bp.route("/national/requests")
@officer_required
def join_requests() -> ResponseReturnValue:
    rows = db.session.scalars(
        scoped(JoinRequest)
        .where(JoinRequest.decided_at.is_(None))
        .order_by(JoinRequest.created_at)
        .limit(200)
    ).all()
    return render_template("oidc/join_requests.html", rows=rows, form=EmptyForm())


@bp.route("/national/requests/<int:request_id>", methods=["POST"])
@officer_required
def decide(request_id: int) -> ResponseReturnValue:
    join = get_or_404(JoinRequest, request_id)
    decision = request.form.get("decision")
    if EmptyForm().validate_on_submit() and decision in ("approve", "decline"):
        try:
            sso.decide_join_request(current_group(), join, decision == "approve", g.member)
        except Conflict as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(
                _(
                    "%(name)s: %(decision)s.",
                    name=join.name,
                    decision=_(join.decision) if join.decision else "",
                ),
                "info",
            )
    return redirect(url_for("oidc_client.join_requests"))
