"""The hub's provider endpoints and pages: discovery, JWKS, authorize + consent, token,
revocation, userinfo, a member's "signed-in nodes", and the officers' national import."""

from __future__ import annotations

from urllib.parse import urlsplit

from authlib.oauth2 import OAuth2Error
from flask import (
    Blueprint,
    Response,
    flash,
    g,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from node import web
from node.errors import NotFound
from node.extensions import csrf, db
from node.forms import EmptyForm
from node.members.access import account_required, officer_required, public
from node.members.forms import upload_limits
from node.oidc import issuing, keys, provider, records
from node.oidc import operations as ops
from node.oidc.forms import ConsentForm, ImportForm
from node.oidc.models import NationalMember

bp = Blueprint("oidc", __name__)
PAGE_SIZE = 50


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Pragma"] = "no-cache"
    return response


@bp.route("/.well-known/openid-configuration")
@public
def discovery() -> ResponseReturnValue:
    return jsonify(provider.discovery(issuing.hub()))


@bp.route("/oidc/jwks.json")
@public
def jwks() -> ResponseReturnValue:
    issuing.hub()
    return jsonify(keys.provider_jwks())


def _with_form_target(response: Response, redirect_uri: str | None) -> Response:
    """The consent form's POST ends in a redirect to the node; CSP form-action must allow it."""
    if redirect_uri:
        parts = urlsplit(redirect_uri)
        origin = f"{parts.scheme}://{parts.netloc}"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; "
            f"frame-ancestors 'none'; form-action 'self' {origin}; base-uri 'self'"
        )
    return _no_store(response)


@bp.route("/oidc/authorize", methods=["GET", "POST"])
@account_required
def authorize() -> ResponseReturnValue:
    hub = issuing.hub()
    server = provider.server()
    try:
        grant = server.get_consent_grant(end_user=g.account)
    except OAuth2Error as error:
        if getattr(error, "redirect_uri", None):
            return _no_store(server.handle_error_response(request, error))
        return render_template("oidc/authorize_error.html", error=error), 400
    client = grant.client
    scope = client.get_allowed_scope(grant.request.payload.scope)
    redirect_uri = grant.request.payload.redirect_uri
    rec = records.record_for_account(hub, g.account)
    form = ConsentForm()
    prompt = grant.request.payload.data.get("prompt") or ""
    remembered = rec is not None and ops.has_consent(client, g.account, scope)
    if request.method == "GET" and remembered and "consent" not in prompt:
        response = server.create_authorization_response(grant_user=g.account, grant=grant)
        db.session.commit()
        return _no_store(response)
    if request.method == "POST" and form.validate_on_submit():
        allowed = form.decision.data == "allow" and rec is not None
        if allowed:
            ops.grant_consent(client, g.account, scope)
        response = server.create_authorization_response(
            grant_user=g.account if allowed else None, grant=grant
        )
        db.session.commit()
        return _with_form_target(response, redirect_uri)
    page = web.form_page(
        "oidc/consent.html", client=client, scopes=scope.split(), record=rec, form=form
    )
    return _with_form_target(make_response(*page), redirect_uri)


@bp.route("/oidc/token", methods=["POST"])
@public
@csrf.exempt
def token() -> ResponseReturnValue:
    issuing.hub()
    response = provider.server().create_token_response()
    db.session.commit()  # used codes, revocations on replay, seen assertion ids
    return response


@bp.route("/oidc/revoke", methods=["POST"])
@public
@csrf.exempt
def revoke() -> ResponseReturnValue:
    issuing.hub()
    response = provider.server().create_endpoint_response("revocation")
    db.session.commit()
    return response


@bp.route("/oidc/userinfo", methods=["GET", "POST"])
@public
@csrf.exempt
def userinfo() -> ResponseReturnValue:
    issuing.hub()
    return _no_store(provider.server().create_endpoint_response("userinfo"))


@bp.route("/oidc/connections")
@account_required
def connections() -> ResponseReturnValue:
    hub = issuing.hub()
    return render_template(
        "oidc/connections.html", consents=ops.connections(hub, g.account), form=EmptyForm()
    )


@bp.route("/oidc/connections/<int:consent_id>/revoke", methods=["POST"])
@account_required
def revoke_connection(consent_id: int) -> ResponseReturnValue:
    hub = issuing.hub()
    if EmptyForm().validate_on_submit():
        try:
            name = ops.revoke_connection(hub, g.account, consent_id)
        except NotFound as exc:
            db.session.rollback()
            flash(exc.message, "error")
        else:
            return web.done(
                _("%(name)s can no longer use your national account.", name=name),
                "oidc.connections",
            )
    return redirect(url_for("oidc.connections"))


@bp.route("/oidc/members")
@officer_required
def national_members() -> ResponseReturnValue:
    hub = issuing.hub()
    rows, page, pages, total = web.paginate(
        select(NationalMember)
        .where(NationalMember.group_id == hub.id)
        .order_by(NationalMember.name, NationalMember.id),
        PAGE_SIZE,
    )
    return render_template(
        "oidc/national_members.html",
        rows=rows,
        page=page,
        pages=pages,
        total=total,
        status_of=records.effective_status,
    )


@bp.route("/oidc/members/import", methods=["GET", "POST"])
@officer_required
def import_members() -> ResponseReturnValue:
    hub = issuing.hub()
    form = ImportForm()
    if form.validate_on_submit():
        report = records.import_national_members(hub, form.file.data.read(), g.member)
        if report.ok:
            db.session.commit()
        else:
            db.session.rollback()
        page = render_template(
            "oidc/import.html",
            form=ImportForm(formdata=None),
            report=report,
            limits=upload_limits(),
        )
        return page, 200 if report.ok else 422
    page = render_template("oidc/import.html", form=form, report=None, limits=upload_limits())
    return page, 400 if request.method == "POST" else 200
