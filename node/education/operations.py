"""State changes for programmes: create, materials, enrolment, completion. They never commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, select

from node import clock
from node.audit import record
from node.csv_export import to_csv as _csv
from node.education.models import KINDS, Enrolment, Material, Programme
from node.events.models import Event
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member


class EducationError(ValueError):
    """A change was refused; the message is safe to show."""


def programme_query(group: Group, kind: str = "", q: str = "") -> Select[tuple[Programme]]:
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
        raise EducationError("A programme needs a title of 1 to 200 characters.")
    kind = data.get("kind") or "other"
    if kind not in KINDS:
        raise EducationError(f"Unknown kind of programme {kind!r}.")
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
        raise EducationError("A material needs a title of 1 to 200 characters.")
    if not url.startswith(("https://", "http://")) or len(url) > 500:
        raise EducationError("A material needs a link starting with https://")
    material = Material(group_id=programme.group_id, title=title, url=url)
    programme.materials.append(material)
    return material


def _enrolment(programme: Programme, member: Member) -> Enrolment | None:
    return next((e for e in programme.enrolments if e.member_id == member.id), None)


def enrol(programme: Programme, member: Member) -> Enrolment:
    if not programme.open:
        raise EducationError("This programme is not taking enrolments.")
    enrolment = _enrolment(programme, member)
    if enrolment is None:
        enrolment = Enrolment(group_id=programme.group_id, member_id=member.id, member=member)
        programme.enrolments.append(enrolment)
    if enrolment.status != "completed":
        enrolment.status = "enrolled"
        enrolment.enrolled_at = clock.utcnow_naive()
    return enrolment


def leave(programme: Programme, member: Member) -> None:
    enrolment = _enrolment(programme, member)
    if enrolment is None or enrolment.status != "enrolled":
        raise EducationError("You are not enrolled on this programme.")
    enrolment.status = "withdrawn"


def set_completed(programme: Programme, enrolment_id: int, done: bool, actor: Member) -> Enrolment:
    enrolment = next((e for e in programme.enrolments if e.id == enrolment_id), None)
    if enrolment is None:
        raise EducationError("No such enrolment on this programme.")
    enrolment.status = "completed" if done else "enrolled"
    enrolment.completed_at = clock.utcnow_naive() if done else None
    record(
        db.session.get(Group, programme.group_id),
        actor,
        "complete-programme" if done else "reopen-programme",
        f"member #{enrolment.member_id}",
        f"programme #{programme.id}",
    )
    return enrolment


def sessions(programme: Programme) -> list[Event]:
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.group_id == programme.group_id, Event.programme_id == programme.id)
            .order_by(Event.starts_at)
        )
    )


def attendance(programme: Programme) -> dict[int, int]:
    """Sessions attended per member id."""
    counts: dict[int, int] = {}
    for event in sessions(programme):
        for r in event.rsvps:
            if r.attended:
                counts[r.member_id] = counts.get(r.member_id, 0) + 1
    return counts


def enrolments_csv(programme: Programme) -> str:
    attended = attendance(programme)
    total = len(sessions(programme))
    rows: list[list[Any]] = [
        ["name", "email", "status", "enrolled_at", "completed_at", "sessions_attended", "sessions"]
    ]
    for e in programme.enrolments:
        rows.append(
            [
                e.member.name,
                e.member.email or "",
                e.status,
                e.enrolled_at.date().isoformat(),
                e.completed_at.date().isoformat() if e.completed_at else "",
                attended.get(e.member_id, 0),
                total,
            ]
        )
    return _csv(rows)


def enrolments_section(member: Member) -> dict[str, Any]:
    rows = db.session.scalars(select(Enrolment).where(Enrolment.member_id == member.id))
    return {"programmes": [{"programme": e.programme.title, "status": e.status} for e in rows]}
