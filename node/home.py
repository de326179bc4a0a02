"""The group dashboard and the install's front page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, url_for
from sqlalchemy import func, select

from node.auth.access import public
from node.extensions import db
from node.groups.operations import list_groups
from node.members.models import Member

bp = Blueprint("home", __name__)

# Rooms add navigation links: (label, endpoint, minimum role).
nav_links: list[tuple[str, str, str]] = []

# Rooms add dashboard panels: callables (group, member) -> dict(title=..., template=..., **ctx)
dashboard_panels: list[Callable[[Any, Any], dict[str, Any] | None]] = []

# The group's public home page for visitors who are not signed in (set by the public room);
# without it they are sent to the sign-in page.
public_home: Callable[[Any], Any] | None = None


@bp.route("/")
@public
def index():  # type: ignore[no-untyped-def]
    group = g.get("group")
    if group is None:
        return render_template("install_index.html", groups=list_groups())
    if g.get("account") is None:
        if public_home is not None and not group.is_hub:
            return public_home(group)
        return redirect(url_for("auth.signin"))
    if g.get("member") is None:
        return render_template("not_member.html", group=group), 403
    counts = dict(
        db.session.execute(
            select(Member.status, func.count())
            .where(Member.group_id == group.id, Member.erased_at.is_(None))
            .group_by(Member.status)
        ).all()
    )
    panels = [p for p in (panel(group, g.member) for panel in dashboard_panels) if p]
    return render_template("dashboard.html", group=group, counts=counts, panels=panels)
