"""What erasure does to the motions room (see node.members.erasure).

The group's policy for deliberation is to **anonymise**: what an erased member wrote (motions,
posts, amendments) stays, because replies and votes answered it and the record of how a
decision was reached must still read; who wrote it is removed, and the page shows "a former
member". Their seconds are deleted. An officer can hide a post whose text itself names them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.motions.models import Amendment, Motion, Post, Second


def erase(subject: Subject) -> None:
    member_id = subject.member.id
    db.session.execute(delete(Second).where(Second.member_id == member_id))
    for model, column in ((Post, Post.author_id), (Amendment, Amendment.proposer_id)):
        db.session.execute(update(model).where(column == member_id).values({column: None}))
    db.session.execute(
        update(Motion).where(Motion.proposer_id == member_id).values(proposer_id=None)
    )


def export(member: Member) -> dict[str, Any]:
    motions = db.session.scalars(select(Motion).where(Motion.proposer_id == member.id))
    posts = db.session.scalars(select(Post).where(Post.author_id == member.id))
    amendments = db.session.scalars(select(Amendment).where(Amendment.proposer_id == member.id))
    seconds = db.session.scalars(select(Second).where(Second.member_id == member.id))
    return {
        "motions_proposed": [{"title": m.title, "text": m.original_text} for m in motions],
        "motion_posts": [
            {"motion": p.motion_id, "at": p.created_at.isoformat(), "text": p.body} for p in posts
        ],
        "motion_amendments": [{"motion": a.motion_id, "text": a.text} for a in amendments],
        "motions_seconded": [s.motion_id for s in seconds],
    }


def summary(member: Member) -> Summary:
    posts = count(Post.author_id == member.id, table=Post)
    amendments = count(Amendment.proposer_id == member.id, table=Amendment)
    motions = count(Motion.proposer_id == member.id, table=Motion)
    seconds = count(Second.member_id == member.id, table=Second)
    return [
        ("deleted", _("%(num)s motion(s) seconded.", num=seconds)),
        (
            "kept",
            _(
                "%(motions)s motion(s), %(amendments)s amendment(s) and %(posts)s post(s) they "
                "wrote, shown as by “a former member”: the discussion that answered them must "
                "still read.",
                motions=motions,
                amendments=amendments,
                posts=posts,
            ),
        ),
    ]


HOOK = Hook(
    room="motions",
    tables={
        "motions": "kept; the mover becomes “a former member”",
        "motion_seconds": "deleted",
        "motion_posts": "kept; the author becomes “a former member”",
        "motion_amendments": "kept; the proposer becomes “a former member”",
    },
    export=export,
    erase=erase,
    summary=summary,
)
