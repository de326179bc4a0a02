"""What erasure does to the selections room (see node.members.erasure and docs/selections.md).

The policy: what a member wrote *as a candidate* is theirs and goes — their statement is emptied
and their hustings answers are deleted (a nomination still open is withdrawn). The nomination
row stays, pointing at the nameless placeholder, so the officers' log, the seconder counts and a
ballot already made stay right (the ballots room keeps the names printed on a paper already
cast). A question they asked that was put to the candidates (approved or merged) stays, no longer
linked to them, since candidates answered it; their unmoderated or rejected questions are
deleted. Seconding rows stay (they made a nomination valid) and point at the placeholder.
On a ballot made from the selection and not yet counted, their name becomes "A former member";
a counted ballot's names are the group's published decision and stay.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from node import clock
from node.ballots.models import Ballot
from node.extensions import db
from node.members.erasure import Hook, Subject, Summary, count
from node.members.models import Member
from node.selections.models import Answer, Nomination, Question, Seconder


def _nominations(member_id: int) -> list[Nomination]:
    return list(db.session.scalars(select(Nomination).where(Nomination.nominee_id == member_id)))


def _unname_on_ballot(nomination: Nomination) -> None:
    """A ballot made from the selection and not yet counted shows the candidate as a former
    member (papers rank positions, not names, so the count is unchanged); once counted, the
    name is part of the published decision and its signed statements, and stays."""
    ballot_id, position = nomination.selection.ballot_id, nomination.ballot_position
    if ballot_id is None or position is None:
        return
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None or ballot.state not in ("draft", "open"):
        return
    for option in ballot.options:
        if option.position == position:
            option.name = f"A former member (candidate {position + 1})"


def erase(subject: Subject) -> None:
    member_id = subject.member.id
    now = clock.utcnow_naive()
    for nomination in _nominations(member_id):
        nomination.statement = ""
        if nomination.selection.closed_at is None and nomination.withdrawn_at is None:
            nomination.withdrawn_at = now
        db.session.execute(delete(Answer).where(Answer.nomination_id == nomination.id))
        _unname_on_ballot(nomination)
    db.session.execute(
        delete(Question).where(
            Question.asked_by_id == member_id, Question.state.in_(("pending", "rejected"))
        )
    )
    db.session.execute(
        update(Question)
        .where(Question.asked_by_id == member_id)
        .values(asked_by_id=None)
        .execution_options(synchronize_session=False)
    )


def export(member: Member) -> dict[str, Any]:
    nominations = _nominations(member.id)
    answers = db.session.scalars(
        select(Answer).where(Answer.nomination_id.in_([n.id for n in nominations]))
    )
    questions = db.session.scalars(select(Question).where(Question.asked_by_id == member.id))
    seconded = db.session.scalars(select(Seconder).where(Seconder.member_id == member.id))
    return {
        "selection_nominations": [
            {
                "selection": n.selection.title,
                "statement": n.statement,
                "accepted_at": n.accepted_at.isoformat() if n.accepted_at else None,
                "withdrawn_at": n.withdrawn_at.isoformat() if n.withdrawn_at else None,
            }
            for n in nominations
        ],
        "hustings_answers": [{"question": a.question_id, "answer": a.text} for a in answers],
        "hustings_questions": [{"question": q.text, "state": q.state} for q in questions],
        "nominations_seconded": [s.nomination_id for s in seconded],
    }


def summary(member: Member) -> Summary:
    stood = count(Nomination.nominee_id == member.id, table=Nomination)
    asked = count(Question.asked_by_id == member.id, table=Question)
    seconded = count(Seconder.member_id == member.id, table=Seconder)
    return [
        ("deleted", _("Statements and hustings answers of %(num)s nomination(s).", num=stood)),
        (
            "kept",
            _(
                "%(stood)s nomination(s) and %(seconded)s seconding(s), nameless, so the "
                "selection's record stays right; of %(asked)s hustings question(s), those put to "
                "the candidates, no longer linked to them (the others are deleted).",
                stood=stood,
                seconded=seconded,
                asked=asked,
            ),
        ),
    ]


HOOK = Hook(
    room="selections",
    tables={
        "selection_nominations": "statement emptied, open ones withdrawn; row kept, nameless",
        "selection_answers": "deleted",
        "selection_questions": "unmoderated or rejected deleted; those put kept, unlinked",
        "selection_seconders": "kept, nameless: they made a nomination valid",
        "selections": "kept: who opened one points at the nameless placeholder",
        "ballot_options": "selections: an uncounted ballot's candidate becomes a former member",
    },
    export=export,
    erase=erase,
    summary=summary,
)
