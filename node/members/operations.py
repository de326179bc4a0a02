"""State changes of member records. Views and the CLI call these; they never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, func, or_, select

from node.audit import record
from node.extensions import db
from node.groups.models import Group
from node.members import erasure
from node.members.models import ROLES, STATUSES, AuditEntry, Member

EDITABLE_BY_SELF = ("name", "phone", "ward", "union", "workplace", "consent_email", "consent_phone")
EDITABLE_BY_OFFICER = EDITABLE_BY_SELF + ("email", "joined_on", "status", "role", "notes")


class MemberError(ValueError):
    """A change to a member was refused; the message is safe to show."""


def roster_query(
    group: Group, q: str = "", role: str = "", status: str = "", union: str = "", ward: str = ""
) -> Select[tuple[Member]]:
    stmt = select(Member).where(Member.group_id == group.id, Member.erased_at.is_(None))
    if q:
        like = f"%{q.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Member.name).like(like),
                func.lower(Member.email).like(like),
                func.lower(Member.workplace).like(like),
            )
        )
    if role in ROLES:
        stmt = stmt.where(Member.role == role)
    if status in STATUSES:
        stmt = stmt.where(Member.status == status)
    if union == "-":
        stmt = stmt.where(or_(Member.union.is_(None), Member.union == ""))
    elif union:
        stmt = stmt.where(Member.union == union)
    if ward:
        stmt = stmt.where(Member.ward == ward)
    return stmt.order_by(func.lower(Member.name), Member.id)


def distinct_values(group: Group, column: Any) -> list[str]:
    rows = db.session.scalars(
        select(column)
        .where(Member.group_id == group.id, Member.erased_at.is_(None), column.is_not(None))
        .distinct()
        .order_by(column)
    )
    return [value for value in rows if value]


def update_member(member: Member, changes: dict[str, Any], actor: Member, by_officer: bool) -> None:
    allowed = EDITABLE_BY_OFFICER if by_officer else EDITABLE_BY_SELF
    if member.erased_at is not None:
        raise MemberError("This member's data has been erased.")
    changed = []
    for key, value in changes.items():
        if key not in allowed:
            continue
        if key == "role" and value not in ROLES:
            raise MemberError(f"Unknown role {value!r}.")
        if key == "status" and value not in STATUSES:
            raise MemberError(f"Unknown status {value!r}.")
        if key == "email":
            value = (value or "").strip().lower()
            clash = db.session.scalar(
                select(Member).where(
                    Member.group_id == member.group_id,
                    Member.email == value,
                    Member.id != member.id,
                )
            )
            if clash is not None:
                raise MemberError(f"Another member already has the e-mail {value}.")
        if key == "role" and member.role == "officer" and value != "officer":
            _ensure_another_officer(member)
        if key == "status" and member.role == "officer" and value != "active":
            _ensure_another_officer(member)
        if getattr(member, key) != value:
            setattr(member, key, value)
            changed.append(key)
    if changed:
        group = db.session.get(Group, member.group_id)
        action = "edit-member" if actor.id != member.id else "edit-own-profile"
        # Field names only: the audit log must not become a second copy of personal data.
        record(group, actor, action, f"member #{member.id}", "changed: " + ", ".join(changed))


def _ensure_another_officer(member: Member) -> None:
    """Refuse a change that would leave the group with no *active* officer: a lapsed officer has
    no officer powers (``Member.has_role``), so only active ones can run the group."""
    others = db.session.scalar(
        select(func.count())
        .select_from(Member)
        .where(
            Member.group_id == member.group_id,
            Member.role == "officer",
            Member.status == "active",
            Member.erased_at.is_(None),
            Member.id != member.id,
        )
    )
    if not others:
        raise MemberError("A group must keep at least one active officer.")


def lapse_member(member: Member, actor: Member) -> None:
    if member.status != "lapsed":
        if member.role == "officer":
            _ensure_another_officer(member)
        member.status = "lapsed"
        record(
            db.session.get(Group, member.group_id), actor, "lapse-member", f"member #{member.id}"
        )


def erase_member(member: Member, actor: Member | None) -> None:
    """Erase personal data (UK GDPR art. 17) from every room (:mod:`node.members.erasure`) but
    keep a nameless row, so past turnouts and counts stay correct.

    Ballot participation rows point at the member id only; the anonymous ballots never did.
    """
    if member.role == "officer":
        _ensure_another_officer(member)
    erasure.erase(member)
    record(db.session.get(Group, member.group_id), actor, "erase-member", f"member #{member.id}")


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def personal_data(member: Member) -> dict[str, Any]:
    """Everything the group holds about a member (subject access, UK GDPR art. 15)."""
    group = db.session.get(Group, member.group_id)
    assert group is not None
    fields = (
        "name",
        "email",
        "phone",
        "ward",
        "union",
        "workplace",
        "joined_on",
        "status",
        "role",
        "consent_email",
        "consent_phone",
        "notes",
        "created_at",
        "updated_at",
    )
    data: dict[str, Any] = {
        "group": {"name": group.name, "url": group.url},
        "member": {f: _jsonable(getattr(member, f)) for f in fields},
        "audit": [
            {"at": e.at.isoformat(), "action": e.action, "by": e.actor_label}
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.group_id == group.id, AuditEntry.target == f"member #{member.id}")
                .order_by(AuditEntry.at)
            )
        ],
    }
    data.update(erasure.export(member))  # every room's section (the same tables erasure covers)
    return data
