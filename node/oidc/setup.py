"""Wire the single sign-on into the app: provider and client, blueprints, page hooks."""

from __future__ import annotations

from typing import Any

from flask import Flask, g
from sqlalchemy import func, select

from node import signals
from node.extensions import db
from node.i18n import N_
from node.rooms import Rooms

MEMBER_SECTION = "oidc/_member_national.html"


def _dashboard(group: Any, member: Any) -> dict[str, Any] | None:
    from node.oidc.models import JoinRequest
    from node.oidc.operations import hub_connection

    if member is None or not member.is_officer:
        return None
    if group.is_hub:
        return {"title": N_("National membership"), "template": "oidc/_panel_hub.html"}
    if hub_connection(group) is None:
        return None
    waiting = db.session.scalar(
        select(func.count())
        .select_from(JoinRequest)
        .where(JoinRequest.group_id == group.id, JoinRequest.decided_at.is_(None))
    )
    return {
        "title": N_("National sign-in"),
        "template": "oidc/_panel_node.html",
        "waiting": waiting,
    }


def _good_standing(sender: Flask, *, group_id: int, on: Any) -> list[int]:
    from node.oidc.client import national_good_standing_ids

    return national_good_standing_ids(group_id, on)


def init_app(app: Flask, rooms: Rooms) -> None:
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
    rooms.panel(_dashboard, where="both")
    rooms.nav(
        N_("National members"), "oidc.national_members", "officer", section="members", where="hub"
    )
    signals.electorate_restricted.connect(_good_standing, sender=app)
    rooms.erasure(oidc_erasure.HOOK)
    rooms.member_sections.append(MEMBER_SECTION)

    @app.context_processor
    def _oidc_hooks() -> dict[str, Any]:
        from node.oidc.client import national_link
        from node.oidc.operations import hub_connection

        def national_signin() -> bool:
            """Asked by the sign-in page only: a query no other page pays for."""
            return hub_connection(g.get("group")) is not None

        return {
            "member_sections": rooms.member_sections,
            "national_signin": national_signin,
            "national_link": national_link,
        }
