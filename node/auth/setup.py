"""Wire sign-in's background work and erasure into the app (its blueprint is the foundation's)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select

from node.auth import bulk_invite
from node.auth.models import InvitationRunItem, SigninLink
from node.extensions import db
from node.members import erasure
from node.members.models import Member
from node.rooms import Rooms


def _items_of(member_id: int, group_id: int, email: str | None) -> Any:
    mine = InvitationRunItem.member_id == member_id
    if email:
        mine = or_(mine, func.lower(InvitationRunItem.email) == email)
    return (InvitationRunItem.group_id == group_id) & mine


def _erase(subject: erasure.Subject) -> None:
    db.session.execute(
        delete(InvitationRunItem).where(
            _items_of(subject.member.id, subject.group_id, subject.email)
        )
    )
    if subject.email:
        db.session.execute(delete(SigninLink).where(func.lower(SigninLink.email) == subject.email))


def _export(member: Member) -> dict[str, Any]:
    email = (member.email or "").lower() or None
    rows = db.session.scalars(
        select(InvitationRunItem)
        .where(_items_of(member.id, member.group_id, email))
        .order_by(InvitationRunItem.id)
    )
    return {
        "invitations_sent_to_everyone_without_an_account": [
            {"state": r.state, "sent": r.sent_at.isoformat() if r.sent_at else None} for r in rows
        ]
    }


def _summary(member: Member) -> erasure.Summary:
    return [
        (
            "deleted",
            _(
                "Their lines in the send logs of “invite everyone without an account”, and any "
                "sign-in link mailed to them that has not been used."
            ),
        )
    ]


HOOK = erasure.Hook(
    room="auth",
    tables={
        "signin_links": "the address's mailed sign-in links deleted (they live 15 minutes)",
        "invitation_run_items": "their lines in the invite-everyone send logs deleted",
        "invitation_runs": "runs they started stay (counts only), linked to the placeholder",
    },
    export=_export,
    erase=_erase,
    summary=_summary,
)


def init_app(app: Flask, rooms: Rooms) -> None:
    rooms.erasure(HOOK)
    rooms.task(bulk_invite.TASK, bulk_invite.send_due)
