"""The group dashboard, the install's front page, the menu's section pages and the foundation's
own menu links (the rooms add theirs in their ``setup``)."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import func, select

from node.extensions import db
from node.groups.operations import list_groups
from node.i18n import N_
from node.members.access import member_required, public
from node.members.audit_words import titles
from node.members.models import Member
from node.rooms import SECTIONS, Rooms, rooms_of

bp = Blueprint("home", __name__)


def register_nav(rooms: Rooms) -> None:
    """The foundation's menu links, registered before any room's so they lead their sections,
    and how the audit log names members."""
    rooms.nav(N_("All members"), "members.roster", "organiser", section="members", where="both")
    rooms.nav(N_("Audit log"), "members.audit", "officer", section="group", where="both")
    rooms.nav(N_("My profile"), "members.profile", section="you", where="both")
    rooms.nav(N_("My data"), "members.data_page", section="you", where="both")
    rooms.audit_name("member", titles(Member, "name"))


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
    if group.is_hub:  # hub staff work on the national dashboard, not a local group's
        return redirect(url_for("hub.overview"))
    counts = dict(
        db.session.execute(
            select(Member.status, func.count())
            .where(Member.group_id == group.id, Member.erased_at.is_(None))
            .group_by(Member.status)
        ).all()
    )
    panels = [p for p in (panel(group, g.member) for panel in rooms_of().panels_for(group)) if p]
    return render_template("dashboard.html", group=group, counts=counts, panels=panels)


@bp.route("/menu/<name>")
@member_required
def section(name: str) -> ResponseReturnValue:
    """A section of the menu as a page: its links for this member (works without JavaScript)."""
    entry = next((e for e in rooms_of().menu_for(g.member, g.group) if e.section == name), None)
    if entry is None or name not in SECTIONS:
        abort(404)
    return render_template("section.html", entry=entry, menu_section=name)
