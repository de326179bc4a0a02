"""The group dashboard and the install's front page."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from node.extensions import db
from node.groups.operations import list_groups
from node.members.access import public
from node.members.models import Member
from node.rooms import rooms_of

bp = Blueprint("home", __name__)


@bp.route("/")
@public
def index() -> ResponseReturnValue:
    group = g.get("group")
    if group is None:
        return render_template("install_index.html", groups=list_groups())
    if g.get("account") is None:
        public_home = rooms_of().public_home
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
    panels = [p for p in (panel(group, g.member) for panel in rooms_of().ordered_panels()) if p]
    return render_template("dashboard.html", group=group, counts=counts, panels=panels)
