"""Hustings: members' questions (moderated by officers), the candidates' written answers, and
their publication — all at once, at the deadline.

Answers publish together so that nobody answers after reading the others: until the selection's
``answers_published_at`` is set (by the scheduler at ``answers_due_at``, or lazily on a request,
:func:`publish_answers`), each candidate sees only their own answers, and nobody else — not other
candidates, not officers — sees any. :func:`visible_answers` is the one place that decides.

An optional hustings meeting is an event of the events room (with its RSVPs), made through that
room's operations.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from node import clock
from node.audit import record
from node.errors import Conflict, Forbidden, Invalid
from node.events import operations as events
from node.events.models import Event
from node.extensions import db
from node.forms import multi_line_problem
from node.members.models import Member
from node.organising import follows
from node.selections import news
from node.selections.models import MAX_ANSWER, MAX_QUESTION, Answer, Nomination, Question, Selection
from node.selections.operations import FOLLOW_KIND, called_off, in_good_standing

MAX_QUESTIONS_EACH = 5  # questions one member may put in one selection (moderation is by hand)
MODERATION = ("approve", "reject", "merge")


def _text(value: str, limit: int, field: str, what: str) -> str:
    value = value.strip()
    if not value:
        message = _("Write your %(what)s.", what=what)
        raise Invalid(message, fields={field: message})
    if len(value) > limit:
        message = _("Keep your %(what)s to %(limit)s characters.", what=what, limit=f"{limit:,}")
        raise Invalid(message, fields={field: message})
    if problem := multi_line_problem(value):
        raise Invalid(problem, fields={field: problem})
    return value


def questions_open(selection: Selection, now: datetime | None = None) -> bool:
    now = now or clock.utcnow_naive()
    if called_off(selection):
        return False
    return selection.nominations_open_at <= now < selection.questions_close_at


def ask(selection: Selection, member: Member, text: str) -> Question:
    if not questions_open(selection):
        raise Conflict(_("Hustings questions are not open now."))
    if not in_good_standing(selection, member):
        raise Forbidden(_("Only members in good standing may put hustings questions."))
    asked = db.session.scalar(
        select(func.count()).where(
            Question.selection_id == selection.id, Question.asked_by_id == member.id
        )
    )
    if (asked or 0) >= MAX_QUESTIONS_EACH:
        raise Invalid(
            _(
                "You have put %(limit)s questions, the most one member may.",
                limit=MAX_QUESTIONS_EACH,
            )
        )
    question = Question(
        group_id=selection.group_id,
        selection_id=selection.id,
        asked_by_id=member.id,
        text=_text(text, MAX_QUESTION, "text", _("question")),
        state="pending",
    )
    db.session.add(question)
    db.session.flush()
    follows.follow(selection.group, member, FOLLOW_KIND, selection.id)
    record(
        selection.group,
        member,
        "ask-question",
        f"selection #{selection.id}",
        f"question #{question.id}",
    )
    return question


def moderate(
    selection: Selection, question: Question, actor: Member, action: str, into: int | None = None
) -> None:
    """Approve or reject a question, or merge it into an approved one (a duplicate)."""
    if question.selection_id != selection.id:
        raise Invalid(_("That question is not one of this selection's."))
    if selection.answers_published_at is not None:
        raise Conflict(_("The answers are published; the questions can no longer change."))
    if action not in MODERATION:
        raise Invalid(_("Unknown moderation %(action)s.", action=repr(action)))
    if action == "merge":
        target = db.session.get(Question, into) if into else None
        if (
            target is None
            or target.selection_id != selection.id
            or target.id == question.id
            or target.state != "approved"
        ):
            message = _("Choose an approved question of this selection to merge it into.")
            raise Invalid(message, fields={"into": message})
        question.merged_into_id = target.id
        question.state = "merged"
    else:
        question.merged_into_id = None
        question.state = "approved" if action == "approve" else "rejected"
    question.moderated_at = clock.utcnow_naive()
    if question.state != "approved":  # an answer to a question no longer asked is not kept
        for answer in db.session.scalars(select(Answer).where(Answer.question_id == question.id)):
            db.session.delete(answer)
        # …and questions merged into this one are left pending for the officers to look at again
        db.session.execute(
            update(Question)
            .where(Question.merged_into_id == question.id)
            .values(state="pending", merged_into_id=None)
            .execution_options(synchronize_session="fetch")
        )
    detail = f"question #{question.id}: {question.state}" + (f" into #{into}" if into else "")
    record(selection.group, actor, "moderate-question", f"selection #{selection.id}", detail)


def questions(selection: Selection, *states: str) -> list[Question]:
    stmt = select(Question).where(Question.selection_id == selection.id)
    if states:
        stmt = stmt.where(Question.state.in_(states))
    return list(db.session.scalars(stmt.order_by(Question.id)))


def merged_counts(selection: Selection) -> dict[int, int]:
    """Approved question id -> how many duplicates were merged into it."""
    rows = db.session.execute(
        select(Question.merged_into_id, func.count())
        .where(Question.selection_id == selection.id, Question.state == "merged")
        .group_by(Question.merged_into_id)
    )
    return {qid: n for qid, n in rows if qid is not None}


def answer(
    selection: Selection, nomination: Nomination, question: Question, member: Member, text: str
) -> Answer:
    """The nominee writes (or rewrites) an answer until the deadline."""
    if nomination.selection_id != selection.id or question.selection_id != selection.id:
        raise Invalid(_("That is not one of this selection's questions."))
    if nomination.nominee_id != member.id:
        raise Forbidden(_("Only the candidate answers their own questions."))
    if nomination.withdrawn_at is not None or nomination.accepted_at is None:
        raise Conflict(_("Only a candidate who has accepted and not withdrawn answers questions."))
    if question.state != "approved":
        raise Conflict(_("That question is not one the candidates are asked."))
    if (
        selection.answers_published_at is not None
        or clock.utcnow_naive() >= selection.answers_due_at
    ):
        raise Conflict(_("The deadline for answers has passed."))
    text = _text(text, MAX_ANSWER, "text", _("answer"))
    row = db.session.scalar(
        select(Answer).where(
            Answer.question_id == question.id, Answer.nomination_id == nomination.id
        )
    )
    if row is None:
        row = Answer(
            group_id=selection.group_id,
            question_id=question.id,
            nomination_id=nomination.id,
            text=text,
        )
        db.session.add(row)
    row.text, row.updated_at = text, clock.utcnow_naive()
    db.session.flush()
    record(
        selection.group,
        member,
        "answer-question",
        f"nomination #{nomination.id}",
        f"question #{question.id}",
    )
    return row


def publish_answers(selection: Selection) -> bool:
    """Make every candidate's answers visible at once (claimed: it happens once). True if this
    call published them."""
    now = clock.utcnow_naive()
    if now < selection.answers_due_at or selection.closed_at is None:
        return False
    done = db.session.scalar(
        update(Selection)
        .where(Selection.id == selection.id, Selection.answers_published_at.is_(None))
        .values(answers_published_at=now)
        .returning(Selection.id)
        .execution_options(synchronize_session=False)
    )
    if done is None:
        return False
    selection.answers_published_at = now
    record(selection.group, None, "publish-answers", f"selection #{selection.id}")
    news.answers_published(selection)
    return True


def visible_answers(
    selection: Selection, nomination: Nomination, viewer: Member
) -> dict[int, Answer]:
    """Question id -> answer of ``nomination`` that ``viewer`` may read now: all of them once
    published (valid candidates only), before that only the candidate's own, to themselves."""
    published = selection.answers_published_at is not None
    own = nomination.nominee_id == viewer.id
    if not (own or (published and nomination.is_valid)):
        return {}
    rows = db.session.scalars(select(Answer).where(Answer.nomination_id == nomination.id))
    return {a.question_id: a for a in rows}


def create_event(selection: Selection, data: dict[str, Any], actor: Member) -> Event:
    """The hustings meeting, as an event of the events room (members RSVP there)."""
    if selection.event_id is not None:
        raise Conflict(_("This selection already has a hustings meeting."))
    data = {
        **data,
        "kind": "meeting",
        "title": _("Hustings: %(title)s", title=selection.title)[:200],
        "description": _(
            "The candidates for %(title)s answer members' questions before the ballot.",
            title=selection.title,
        ),
        "public": False,
    }
    event = events.create_event(selection.group, data, actor)
    selection.event_id = event.id
    record(
        selection.group, actor, "hustings-event", f"selection #{selection.id}", f"event #{event.id}"
    )
    return event
