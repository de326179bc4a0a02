"""What erasure does to the newsletters room (see node.members.erasure).

A recipient row keeps its outcome (sent, failed) without the person, so a newsletter's counts
stay right; a copy not sent yet is cancelled. Who wrote a newsletter points at the nameless
placeholder, as everywhere else.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.newsletters.models import Newsletter, Recipient


def erase(subject: Subject) -> None:
    mine = Recipient.member_id == subject.member.id
    db.session.execute(
        update(Recipient)
        .where(mine, Recipient.state == "pending")
        .values(state="cancelled", error="member erased before sending")
    )
    db.session.execute(update(Recipient).where(mine).values(member_id=None))


def export(member: Member) -> dict[str, Any]:
    rows = db.session.execute(
        select(Newsletter.subject, Recipient.state, Recipient.sent_at)
        .join(Newsletter, Newsletter.id == Recipient.newsletter_id)
        .where(Recipient.member_id == member.id)
        .order_by(Recipient.id)
    )
    return {
        "newsletters_to_you": [
            {"subject": s, "state": st, "at": at.isoformat() if at else None} for s, st, at in rows
        ]
    }


def summary(member: Member) -> Summary:
    n = count(Recipient.member_id == member.id, table=Recipient)
    return [
        (
            "kept",
            _(
                "Whether each of %(num)s newsletter(s) reached them (sent or failed), without "
                "their name, so the newsletters' counts stay right; copies not sent yet are "
                "cancelled.",
                num=n,
            ),
        )
    ]


HOOK = Hook(
    room="newsletters",
    tables={
        "newsletter_recipients": "the link to the member removed; the outcome kept for the "
        "counts; unsent copies cancelled",
        "newsletters": "kept: who wrote one points at the nameless placeholder",
    },
    export=export,
    erase=erase,
    summary=summary,
)
