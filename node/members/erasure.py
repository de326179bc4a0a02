"""Erasure (UK GDPR art. 17) and subject access (art. 15), reaching every room through one registry.

Each room registers a :class:`Hook` in its ``init_app`` (the foundation's own tables are
registered at the end of this module): the tables it answers for, each with what erasure does to
it in words a person can read (the erasure page shows them), an ``erase`` function, an
``export`` function for the subject-access download and a ``summary`` with this member's counts.
``tests/members/test_erasure.py`` fails when a table with an e-mail column, or a reference to a
member or an account, is in no hook, and checks that after erasure the person's e-mail and name
are nowhere in the database.

**Accounts are install-wide.** One :class:`Account` (the sign-in) serves every group of the
install a person belongs to. Erasing the member of group G removes what G holds and the link from
G's member row; the account itself (and its password resets and install-wide mail log) is
deleted only when no row of another group still refers to it (a member row, a join request, the
hub's sign-in records). Otherwise it stays, for the other groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, func, or_, select, update

from node import clock
from node.audit import AuditEntry
from node.extensions import db
from node.mail import MailLog
from node.members.models import Account, Member
from node.rooms import Hook, rooms_of

Summary = list[tuple[str, str]]  # ("deleted" | "kept", a sentence with this member's counts)


@dataclass(frozen=True)
class Subject:
    """Who is being erased, as they were before the member row was scrubbed."""

    member: Member
    group_id: int
    email: str | None
    name: str
    account_id: int | None


def _ordered() -> list[Hook]:
    """The app's hooks (``node.rooms``), the rooms' first; the foundation's last, as it scrubs
    the member row and may delete the account."""
    return [*rooms_of().erasure_hooks, FOUNDATION]


def erase(member: Member) -> None:
    """Erase ``member`` from every room of its group (the caller records and commits)."""
    subject = Subject(
        member=member,
        group_id=member.group_id,
        email=(member.email or "").lower() or None,
        name=member.name,
        account_id=member.account_id,
    )
    for hook in _ordered():
        if hook.erase is not None:
            hook.erase(subject)
    db.session.flush()


def export(member: Member) -> dict[str, Any]:
    """Every room's section of the subject-access download."""
    data: dict[str, Any] = {}
    for hook in _ordered():
        data.update(hook.export(member))
    return data


def summary(member: Member) -> Summary:
    """What erasing ``member`` deletes and what it keeps, with counts, for the erasure page."""
    return [line for hook in _ordered() for line in hook.summary(member)]


def count(*where: ColumnElement[bool], table: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(table).where(*where)) or 0


# ----------------------------------------------------------------------------- accounts
def account_references(account_id: int, member_id: int, other_groups_of: int | None) -> int:
    """Rows that still refer to the account, apart from member ``member_id``'s own row and the
    account's install-wide rows (password resets). With ``other_groups_of``: only rows of
    other groups (what will remain once that group's hooks have run)."""
    total = 0
    for table in db.metadata.tables.values():
        for column in table.columns:
            if not any(fk.target_fullname == "accounts.id" for fk in column.foreign_keys):
                continue
            if "group_id" not in table.columns:
                continue
            where = [column == account_id]
            if table.name == "members":
                where.append(table.c.id != member_id)
            if other_groups_of is not None:
                where.append(table.c.group_id != other_groups_of)
            total += count(*where, table=table)
    return total


def _erase_account(subject: Subject) -> None:
    if subject.account_id is None:
        return
    if account_references(subject.account_id, subject.member.id, None):
        return  # another group still knows this person: the account stays for it
    account = db.session.get(Account, subject.account_id)
    if account is None:
        return
    resets = db.metadata.tables["password_resets"]  # node.auth's, by name: auth builds on members
    db.session.execute(delete(resets).where(resets.c.account_id == account.id))
    db.session.execute(
        update(MailLog)
        .where(MailLog.group_id.is_(None), func.lower(MailLog.recipient) == account.email.lower())
        .values(recipient=f"(erased account #{account.id})")
    )
    db.session.delete(account)


# ----------------------------------------------------------------------------- foundation
def _erase_foundation(subject: Subject) -> None:
    member, group_id, email = subject.member, subject.group_id, subject.email
    placeholder = f"Erased member #{member.id}"
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.group_id == group_id, AuditEntry.actor_id == member.id)
        .values(actor_label=placeholder, redacted_at=clock.utcnow_naive())
    )
    if email:
        invitations = db.metadata.tables["invitations"]
        db.session.execute(
            delete(invitations).where(
                invitations.c.group_id == group_id, func.lower(invitations.c.email) == email
            )
        )
        db.session.execute(
            update(MailLog)
            .where(MailLog.group_id == group_id, func.lower(MailLog.recipient) == email)
            .values(recipient=f"({placeholder.lower()})")
        )
        mentions = or_(
            func.lower(AuditEntry.target).contains(email, autoescape=True),
            func.lower(AuditEntry.detail).contains(email, autoescape=True),
        )
        for entry in db.session.scalars(
            select(AuditEntry).where(AuditEntry.group_id == group_id, mentions)
        ):
            for attr in ("target", "detail"):
                text = getattr(entry, attr)
                if text and email in text.lower():
                    setattr(entry, attr, _replace(text, email, f"member #{member.id}"))
                    entry.redacted_at = clock.utcnow_naive()
    member.name = placeholder
    for column in ("email", "phone", "ward", "union", "workplace", "notes"):
        setattr(member, column, None)
    member.account_id = None
    member.status, member.role = "lapsed", "member"
    member.consent_email = member.consent_phone = False
    member.erased_at = clock.utcnow_naive()
    db.session.flush()
    _erase_account(subject)


def _replace(text: str, needle: str, replacement: str) -> str:
    lowered, out, start = text.lower(), [], 0
    while (at := lowered.find(needle, start)) >= 0:
        out += [text[start:at], replacement]
        start = at + len(needle)
    return "".join(out) + text[start:]


def _export_foundation(member: Member) -> dict[str, Any]:
    email = (member.email or "").lower()
    invitations = db.metadata.tables["invitations"]
    account = member.account
    return {
        "account": None
        if account is None
        else {
            "email": account.email,
            "created_at": account.created_at.isoformat(),
            "last_sign_in": account.last_sign_in.isoformat() if account.last_sign_in else None,
        },
        "invitations": [
            {
                "email": i.email,
                "role": i.role,
                "sent": i.created_at.isoformat(),
                "used": bool(i.used_at),
            }
            for i in db.session.execute(
                select(invitations).where(
                    invitations.c.group_id == member.group_id,
                    func.lower(invitations.c.email) == email,
                )
            )
        ],
        "mail_sent_to_you": [
            {"at": m.sent_at.isoformat(), "subject": m.subject, "status": m.status}
            for m in db.session.scalars(
                select(MailLog)
                .where(MailLog.group_id == member.group_id, func.lower(MailLog.recipient) == email)
                .order_by(MailLog.sent_at)
            )
        ],
        "audit_of_your_actions": [
            {"at": e.at.isoformat(), "action": e.action, "target": e.target}
            for e in db.session.scalars(
                select(AuditEntry)
                .where(AuditEntry.group_id == member.group_id, AuditEntry.actor_id == member.id)
                .order_by(AuditEntry.at)
            )
        ],
    }


def _summary_foundation(member: Member) -> Summary:
    lines: Summary = [
        (
            "deleted",
            _(
                "Name, e-mail, phone, ward, union, workplace and notes; their pending or used "
                "invitations; their address in the send log and their name and address in the "
                "audit log (replaced by the placeholder)."
            ),
        ),
        (
            "kept",
            _(
                "A placeholder row, \u201cErased member #%(id)s\u201d, with the join date, so "
                "member counts and past turnouts stay right; the audit entries (what was done, "
                "when) and the send log entries (subject, date, outcome), without the person.",
                id=member.id,
            ),
        ),
    ]
    if member.account_id is not None:
        others = account_references(member.account_id, member.id, member.group_id)
        if others:
            lines.append(
                (
                    "kept",
                    _(
                        "Their sign-in account (e-mail and password), because other groups on "
                        "this install still refer to it (%(count)s record(s)); only this group's "
                        "link to it is removed.",
                        count=others,
                    ),
                )
            )
        else:
            lines.append(("deleted", _("Their sign-in account (no other group uses it).")))
    return lines


FOUNDATION = Hook(
    room="foundation",
    tables={
        "members": "scrubbed: the row stays as a nameless placeholder so counts stay right",
        "accounts": "deleted when no other group refers to it; otherwise kept for them",
        "password_resets": "deleted with the account (install-wide, not a group's)",
        "invitations": "the member's invitations deleted; ones they sent keep a link to "
        "the placeholder",
        "mail_log": "the address replaced by the placeholder; subject, date, outcome kept",
        "audit_log": "their name and address replaced; what was done and when kept",
    },
    export=_export_foundation,
    erase=_erase_foundation,
    summary=_summary_foundation,
)
