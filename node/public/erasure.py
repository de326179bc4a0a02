"""What erasure does to the public room (see node.members.erasure): the person's join requests
(name, address, ward, union, phone, consents) are deleted — the one that made them a member and
any other under their address."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, delete, or_, select

from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.public.models import MembershipApplication


def _theirs(member_id: int, group_id: int, email: str | None) -> tuple[ColumnElement[bool], ...]:
    match = [MembershipApplication.member_id == member_id]
    if email:
        match.append(MembershipApplication.email == email.lower())
    return (MembershipApplication.group_id == group_id, or_(*match))


def erase(subject: Subject) -> None:
    db.session.execute(
        delete(MembershipApplication).where(
            *_theirs(subject.member.id, subject.group_id, subject.email)
        )
    )


def summary(member: Member) -> Summary:
    n = count(*_theirs(member.id, member.group_id, member.email), table=MembershipApplication)
    line = _("Their request(s) to join through the public form (%(num)s).", num=n)
    return [("deleted", line)] if n else []


def export(member: Member) -> dict[str, Any]:
    rows = db.session.scalars(
        select(MembershipApplication).where(*_theirs(member.id, member.group_id, member.email))
    )
    return {
        "requests_to_join_through_the_public_form": [
            {
                "status": r.status,
                "name": r.name,
                "email": r.email,
                "ward_or_postcode": r.ward,
                "union": r.union,
                "phone": r.phone,
                "consent_email": r.consent_email,
                "consent_phone": r.consent_phone,
                "consent_data_statement": r.consent_data,
                "submitted_at": r.created_at.isoformat(),
                "confirmed_at": r.confirmed_at.isoformat() if r.confirmed_at else None,
            }
            for r in rows
        ]
    }


HOOK = Hook(
    room="public",
    tables={
        "membership_applications": "deleted (their requests to join through the public form)",
        "public_profiles": "kept: the group's own public description, about no one",
    },
    export=export,
    erase=erase,
    summary=summary,
)
