"""The application factory's body: configuration, extensions, tenancy, blueprints, errors."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import (
    Flask,
    Response,
    g,
    has_request_context,
    jsonify,
    make_response,
    render_template,
    request,
)
from sqlalchemy.orm import configure_mappers
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

from node import __version__, errors, home, i18n, richtext, tenancy, timefmt
from node.auth import views as auth_views
from node.config import check_secret_key, ensure_secret_key, load_config
from node.extensions import csrf, db, init_migrations, init_sqlite, limiter
from node.lingering import LingeringCloseMiddleware
from node.members import views as member_views
from node.members.access import load_identity, public
from node.rooms import Rooms, current_section, init_rooms

MIGRATIONS = str(Path(__file__).parent / "migrations")

TOO_MANY = (
    "Too many tries from this connection. Wait a minute and try again; if many people are "
    "signing in from one Wi-Fi, only mistyped passwords and codes count, so check yours first."
)


def _too_many_detail(exc: HTTPException) -> str:
    """Plain words for a 429: a limit's own message if it has one (Flask-Limiter puts the
    bare limit, such as "10 per 1 minute", in the description otherwise)."""
    limit = getattr(getattr(exc, "limit", None), "error_message", None)
    if callable(limit):  # made when the page is, in the reader's language
        limit = limit()
    return limit if isinstance(limit, str) and limit else TOO_MANY


def _room_setups() -> list[Any]:
    """Each room's setup module, in the order its links and panels appear."""
    from node.auth import setup as auth
    from node.ballots import setup as ballots
    from node.campaigns import setup as campaigns
    from node.education import setup as education
    from node.events import setup as events
    from node.hub import setup as hub
    from node.motions import setup as motions
    from node.newsletters import setup as newsletters
    from node.oidc import setup as oidc
    from node.peering import setup as peering
    from node.public import setup as public
    from node.scheduler import setup as scheduler
    from node.selections import setup as selections
    from node.unions import setup as unions
    from node.witness import setup as witness

    return [
        auth,
        ballots,
        peering,
        hub,
        campaigns,
        events,
        education,
        unions,
        newsletters,
        motions,
        selections,
        oidc,
        public,
        scheduler,
        witness,
    ]


def room_names() -> list[str]:
    """The rooms' package names, in registration order (tests walk every room by them)."""
    return [setup.__name__.split(".")[-2] for setup in _room_setups()]


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


def build_app(overrides: dict[str, Any] | None = None) -> Flask:
    app = configure(overrides)
    init_extensions(app)
    init_requests(app)
    init_error_pages(app)
    rooms = init_rooms(app)
    init_templates(app, rooms)
    for blueprint in (auth_views.bp, member_views.bp, home.bp):  # the foundation's, first
        app.register_blueprint(blueprint)
    home.register_nav(rooms)
    for setup in _room_setups():
        rooms.names.append(setup.__name__.split(".")[-2])
        setup.init_app(app, rooms)
    init_commands(app)
    init_healthz(app)
    init_metrics(app)
    return app


def configure(overrides: dict[str, Any] | None) -> Flask:
    """The app with the install's settings (node.config), its secret key and session rules."""
    config = load_config(overrides=overrides)
    instance = Path(config["INSTANCE_PATH"])
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask("node", instance_path=str(instance), instance_relative_config=False)
    app.config.update(config)
    source = "COMMONGROUND_SECRET_KEY"
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = ensure_secret_key(instance)
        source = str(instance / "secret_key")
    if not app.config.get("TESTING"):  # tests sign with a fixed key on purpose
        check_secret_key(str(app.config["SECRET_KEY"]), source)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(app.config))
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_HEADERS_ENABLED=True,
    )
    logging.getLogger("node").setLevel(app.config["LOG_LEVEL"])
    return app


def engine_options(config: dict[str, Any]) -> dict[str, Any]:
    """A server database's connections are tested as they leave the pool (``pool_pre_ping``), so
    one broken by a restart is replaced instead of failing a request. A SQLite file has no
    server to lose: there the test would only add a statement to every request."""
    url = str(config.get("SQLALCHEMY_DATABASE_URI") or "")
    return {} if url.startswith("sqlite") else {"pool_pre_ping": True}


def init_extensions(app: Flask) -> None:
    db.init_app(app)
    init_sqlite(app)
    init_migrations(app, MIGRATIONS)
    csrf.init_app(app)
    limiter.init_app(app)


def init_requests(app: Flask) -> None:
    """Per request: the group (by host or path prefix), who is asking, and the security headers."""
    wsgi: WSGIApplication = app.wsgi_app
    if app.config["TENANCY"] == "path":
        wsgi = tenancy.PathPrefixMiddleware(wsgi)
    if app.config["PROXIES"]:  # behind Caddy: real client address and scheme (deploy/)
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXIES"]
        wsgi = ProxyFix(wsgi, x_for=hops, x_proto=hops)
    wsgi = LingeringCloseMiddleware(wsgi, lambda: app.config.get("MAX_CONTENT_LENGTH"))
    vars(app)["wsgi_app"] = wsgi  # the middleware pattern: an attribute in place of the method

    @app.before_request
    def _resolve() -> None:
        g.group = tenancy.resolve_group()
        load_identity()

    @app.after_request
    def _headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


def init_error_pages(app: Flask) -> None:
    """HTTP errors as a page, or as JSON for API paths; operations' errors by node.errors."""

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        detail = _too_many_detail(exc) if exc.code == 429 else exc.description
        if errors.wants_json():
            body = {"error": (exc.name or "error").lower().replace(" ", "-"), "detail": detail}
            response = jsonify(body)
        elif exc.code == 429:
            response = make_response(render_template("errors/429.html", error=exc, detail=detail))
        else:
            page = render_template(
                "error.html", code=exc.code, heading=exc.name, detail=exc.description
            )
            response = make_response(page)
        response.status_code = exc.code or 500
        # Keep the headers the exception carries (Allow on 405, Retry-After on 429, …).
        for key, value in exc.get_headers():
            if key.lower() != "content-type":
                response.headers[key] = value
        return response

    errors.init_app(app)


def init_templates(app: Flask, rooms: Rooms) -> None:
    i18n.init_app(app)
    timefmt.init_app(app)
    richtext.init_app(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        menu = rooms.menu_for(g.get("member"), g.get("group"))
        return {
            "menu": menu,
            "menu_section": current_section(
                menu, request.endpoint if has_request_context() else None
            ),
            "current_group": g.get("group"),
            "current_member": g.get("member"),
            "current_account": g.get("account"),
            "version": __version__,
        }


def init_commands(app: Flask) -> None:
    """The `commonground` commands also on app.cli, so `flask --app node` and test runners see
    them."""
    from node.cli import cli as commonground_cli

    for name, command in commonground_cli.commands.items():
        if name not in app.cli.commands:
            app.cli.add_command(command, name)


def init_metrics(app: Flask) -> None:
    """Prometheus figures at /metrics, only when COMMONGROUND_METRICS_TOKEN is set (imported
    only then: prometheus_client stays off the start-up path of an install without it)."""
    if app.config.get("METRICS_TOKEN"):
        from node import metrics

        metrics.init_app(app)


def init_healthz(app: Flask) -> None:
    @app.route("/healthz")
    @public
    def healthz() -> Response:
        """Liveness and database check for load balancers and Docker's HEALTHCHECK."""
        db.session.execute(db.text("SELECT 1"))
        return jsonify({"status": "ok", "version": __version__})

    csrf.exempt(healthz)


def warm_up(app: Flask, templates: bool = True) -> None:
    """Build before any fork what a worker would otherwise build on its first requests, holding
    the interpreter lock while its other threads wait: the ORM's mapper configuration (~0.1 s)
    and, with ``templates``, every compiled page and mail template (~0.7 s). gunicorn preloads
    the app in its master (node/wsgi.py), so every worker, including each replacement, starts
    with them: in a fresh process a voter's first paper took 195 ms cold, 12 ms warmed."""
    configure_mappers()
    if not templates:
        return
    env = app.jinja_env
    for name in env.list_templates(extensions=("html", "txt")):
        env.get_template(name)
