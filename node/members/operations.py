"""State changes of member records. Views and the CLI call these; they never commit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select

from node.audit import AuditEntry, record
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.members import erasure
from node.members.models import ROLES, STATUSES, Account, Member

EDITABLE_BY_SELF = ("name", "phone", "ward", "union", "workplace", "consent_email", "consent_phone")
EDITABLE_BY_OFFICER = EDITABLE_BY_SELF + ("email", "joined_on", "status", "role", "notes")


def roster_query(
    group: Group, q: str = "", role: str = "", status: str = "", union: str = "", ward: str = ""
) -> Select[Member]:
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


def visible_phone(member: Member, viewer: Member | None) -> str | None:
    """The phone number ``viewer`` may see on ``member``'s record page.

    A number is shown to organisers only if the member agreed to be phoned or texted
    (``consent_phone``). Officers also see it without consent, on this one record page and the
    edit form, because they answer data-protection requests and correct records; the page marks
    it as not to be used. No list, roster, export or CSV shows a number without consent, to
    anyone: ``node.members.csv_io.export_members`` leaves the cell empty (and an empty phone cell
    on import keeps the stored number, so export → import loses nothing). The member always
    sees their own number on their profile.
    """
    if not member.phone:
        return None
    if member.consent_phone:
        return member.phone
    if viewer is not None and (viewer.id == member.id or viewer.is_officer):
        return member.phone
    return None


def update_member(member: Member, changes: dict[str, Any], actor: Member, by_officer: bool) -> None:
    allowed = EDITABLE_BY_OFFICER if by_officer else EDITABLE_BY_SELF
    if member.erased_at is not None:
        raise Conflict(_("This member's data has been erased."))
    changed = []
    for key, value in changes.items():
        if key not in allowed:
            continue
        if key == "role" and value not in ROLES:
            raise Invalid(
                _("Unknown role %(role)s.", role=repr(value)),
                {"role": _("Choose a role from the list.")},
            )
        if key == "status" and value not in STATUSES:
            raise Invalid(
                _("Unknown status %(status)s.", status=repr(value)),
                {"status": _("Choose a status from the list.")},
            )
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
                message = _("Another member already has the e-mail %(email)s.", email=value)
                raise Invalid(message, {"email": message})
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


def _other_active_officers(member: Member) -> int:
    """The group's active officers but ``member``: a lapsed officer has no officer powers
    (``Member.has_role``), so only active ones can run the group."""
    return (
        db.session.scalar(
            select(func.count(Member.id)).where(
                Member.group_id == member.group_id,
                Member.role == "officer",
                Member.status == "active",
                Member.erased_at.is_(None),
                Member.id != member.id,
            )
        )
        or 0
    )


def _ensure_another_officer(member: Member) -> None:
    """Refuse a change that would leave the group with no active officer."""
    if not _other_active_officers(member):
        raise Invalid(_("A group must keep at least one active officer."))


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


def is_last_active_officer(member: Member) -> bool:
    return member.role == "officer" and not _other_active_officers(member)


def leave_group(member: Member) -> bool:
    """The member leaves the group themself: the same erasure as an officer's (every room's
    hook), recorded as theirs under the placeholder name. The last active officer cannot leave
    (someone must be able to run the group); they appoint another officer first.

    Returns True if their sign-in account went too (no other group refers to it), so the view
    ends the session; otherwise the account stays for the other groups and only this group's
    link to it is gone."""
    if member.erased_at is not None:
        raise Conflict(_("You have already left this group."))
    if is_last_active_officer(member):
        raise Invalid(
            _(
                "You are the group's only active officer: make another member an officer "
                "before you leave, so that someone can run the group."
            )
        )
    account_id = member.account_id
    erasure.erase(member)
    record(db.session.get(Group, member.group_id), member, "leave-group", f"member #{member.id}")
    return account_id is not None and db.session.get(Account, account_id) is None


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    return value


def personal_data(member: Member) -> dict[str, Any]:
    """Everything the group holds about a member (subject access, UK GDPR art. 15)."""
    group = db.session.get(Group, member.group_id)
    if group is None:
        raise NotFound(_("The member's group no longer exists."))
    # Every column of the member's row but the keys and the erasure mark (a new one too).
    skip = ("id", "group_id", "account_id", "erased_at")
    fields = [c.key for c in Member.__table__.columns if c.key not in skip]
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
