"""State changes for programmes: create, materials, enrolment, completion. They never commit."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, select

from node import clock
from node.audit import record
from node.education.models import KINDS, Enrolment, Material, Programme
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from node.organising import signups
from node.organising.items import LinkedEvent, linked_events


def programme_query(group: Group, kind: str = "", q: str = "") -> Select[Programme]:
    stmt = select(Programme).where(Programme.group_id == group.id)
    if kind in KINDS:
        stmt = stmt.where(Programme.kind == kind)
    if q:
        stmt = stmt.where(Programme.title.ilike(f"%{q.strip()}%"))
    return stmt.order_by(Programme.open.desc(), Programme.created_at.desc(), Programme.id)


def save_programme(
    group: Group, programme: Programme | None, data: dict[str, Any], actor: Member
) -> Programme:
    title = (data.get("title") or "").strip()
    if not title or len(title) > 200:
        raise Invalid(_("A programme needs a title of 1 to 200 characters."))
    kind = data.get("kind") or "other"
    if kind not in KINDS:
        raise Invalid(_("Unknown kind of programme %(kind)s.", kind=repr(kind)))
    if programme is None:
        programme = Programme(group_id=group.id)
        db.session.add(programme)
    programme.title, programme.kind = title, kind
    programme.description = (data.get("description") or "").strip()[:10_000] or None
    programme.open = bool(data.get("open", True))
    db.session.flush()
    record(group, actor, "save-programme", f"programme #{programme.id}")
    return programme


def add_material(programme: Programme, title: str, url: str) -> Material:
    title, url = (title or "").strip(), (url or "").strip()
    if not title or len(title) > 200:
        raise Invalid(_("A material needs a title of 1 to 200 characters."))
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise Invalid(_("A material needs a link starting with https://"))
    material = Material(group_id=programme.group_id, title=title, url=url)
    programme.materials.append(material)
    return material


def enrol(programme: Programme, member: Member) -> Enrolment:
    if not programme.open:
        raise Conflict(_("This programme is not taking enrolments."))
    enrolment = signups.join(
        programme.enrolments,
        member,
        lambda: Enrolment(group_id=programme.group_id, member_id=member.id, member=member),
    )
    if enrolment.status != "completed":
        enrolment.status = "enrolled"
        enrolment.enrolled_at = clock.utcnow_naive()
    return enrolment


def leave(programme: Programme, member: Member) -> None:
    signups.withdraw(
        programme.enrolments, member, ("enrolled",), _("You are not enrolled on this programme.")
    )


def set_completed(programme: Programme, enrolment_id: int, done: bool, actor: Member) -> Enrolment:
    enrolment = next((e for e in programme.enrolments if e.id == enrolment_id), None)
    if enrolment is None:
        raise NotFound(_("No such enrolment on this programme."))
    enrolment.status = "completed" if done else "enrolled"
    enrolment.completed_at = clock.utcnow_naive() if done else None
    what = "complete-programme" if done else "reopen-programme"
    member = f"member #{enrolment.member_id}"
    record(programme.group, actor, what, member, f"programme #{programme.id}")
    return enrolment


def sessions(programme: Programme) -> list[LinkedEvent]:
    """The programme's sessions: the events that belong to it."""
    return linked_events(programme.group_id, "programme_id", programme.id)


def attendance(sessions: list[LinkedEvent]) -> Counter[int]:
    """Sessions attended per member id."""
    return Counter(member_id for session in sessions for member_id in session.attended)


def enrolments_table(programme: Programme) -> list[list[Any]]:
    held = sessions(programme)
    attended = attendance(held)
    rows: list[list[Any]] = [
        ["name", "email", "status", "enrolled_at", "completed_at", "sessions_attended", "sessions"]
    ]
    rows += [
        [
            e.member.name,
            e.member.email or "",
            e.status,
            e.enrolled_at.date().isoformat(),
            e.completed_at.date().isoformat() if e.completed_at else "",
            attended.get(e.member_id, 0),
            len(held),
        ]
        for e in programme.enrolments
    ]
    return rows
