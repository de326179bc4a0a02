"""Wire the single sign-on into the app: provider and client, blueprints, page hooks."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import func, select

from node.extensions import db
from node.home import dashboard_panels

MEMBER_SECTION = "oidc/_member_national.html"


def _dashboard(group: Any, member: Any) -> dict[str, Any] | None:
    from node.oidc.models import JoinRequest
    from node.oidc.operations import hub_connection

    if member is None or not member.is_officer:
        return None
    if group.is_hub:
        return {"title": "National membership", "template": "oidc/_panel_hub.html"}
    if hub_connection(group) is None:
        return None
    waiting = db.session.scalar(
        select(func.count())
        .select_from(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.decided_at.is_(None))
    )
    return {"title": "National sign-in", "template": "oidc/_panel_node.html", "waiting": waiting}


def init_app(app: Flask) -> None:
    from node.members import erasure
    from node.oidc import erasure as oidc_erasure
    from node.oidc import models  # noqa: F401  (tables in the metadata)
    from node.oidc.client import init_client
    from node.oidc.client_views import bp as client_bp
    from node.oidc.provider import init_provider
    from node.oidc.views import bp

    init_provider(app)
    init_client(app)
    app.register_blueprint(bp)
    app.register_blueprint(client_bp)
    dashboard_panels.append(_dashboard)
    erasure.register(oidc_erasure.HOOK)
    # Shared page hooks (members/show.html and auth/signin.html include what is listed here).
    sections: list[str] = app.extensions.setdefault("member_sections", [])
    sections.append(MEMBER_SECTION)

    @app.context_processor
    def _oidc_hooks() -> dict[str, Any]:
        from node.oidc.client import national_link
        from node.oidc.operations import hub_connection

        return {
            "member_sections": app.extensions["member_sections"],
            "national_signin": hub_connection(g.get("group")) is not None,
            "national_link": national_link,
        }
