"""Hustings pages: members ask, officers moderate, candidates answer, everyone reads the answers
once they are published together; and the optional hustings meeting (an event)."""

from __future__ import annotations

from flask import abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from node import web
from node.extensions import limiter
from node.members.access import member_required, officer_required
from node.selections import hustings
from node.selections import operations as ops
from node.selections.forms import AnswerForm, HustingsEventForm, ModerateForm, QuestionForm
from node.selections.models import Question
from node.selections.views import POSTS, bp, current
from node.tenancy import current_group, get_or_404


@bp.route("/selections/<int:selection_id>/questions", methods=["GET", "POST"])
@member_required
@limiter.limit(POSTS, methods=["POST"])
def questions(selection_id: int) -> ResponseReturnValue:
    """The approved questions, what each candidate answered (once published), and the form
    to put a question while questions are open."""
    selection = current(selection_id)
    form = QuestionForm()
    answer = web.submit(
        form,
        lambda: hustings.ask(selection, g.member, form.text.data or ""),
        lambda _done: web.done(
            _(
                "Thank you: your question goes to the officers, who check it before the "
                "candidates see it."
            ),
            "selections.questions",
            selection_id=selection.id,
        ),
    )
    if answer is not None:
        return answer
    candidates = ops.valid_nominations(selection) if selection.closed_at else []
    mine = ops.nomination_of(selection, g.member)
    return web.form_page(
        "selections/questions.html",
        form=form,
        selection=selection,
        questions=hustings.questions(selection, "approved"),
        merged=hustings.merged_counts(selection),
        candidates=candidates,
        answers={n.id: hustings.visible_answers(selection, n, g.member) for n in candidates},
        is_open=hustings.questions_open(selection),
        mine=mine,
        own=hustings.visible_answers(selection, mine, g.member) if mine else {},
    )


@bp.route("/selections/<int:selection_id>/questions/moderate")
@officer_required
def moderation(selection_id: int) -> ResponseReturnValue:
    selection = current(selection_id)
    approved = hustings.questions(selection, "approved")
    forms = {}
    for question in hustings.questions(selection):
        form = ModerateForm(prefix=f"q{question.id}")
        form.into.choices = [SelectChoice("0", "—")] + [
            SelectChoice(str(q.id), f"#{q.id}: {q.text[:60]}")
            for q in approved
            if q.id != question.id
        ]
        forms[question.id] = form
    return render_template(
        "selections/moderate.html",
        selection=selection,
        questions=hustings.questions(selection),
        forms=forms,
    )


@bp.route("/selections/<int:selection_id>/questions/<int:question_id>/moderate", methods=["POST"])
@officer_required
def moderate(selection_id: int, question_id: int) -> ResponseReturnValue:
    selection = current(selection_id)
    question = get_or_404(Question, question_id)
    if question.selection_id != selection.id:
        abort(404)
    web.check_form()
    prefix = f"q{question.id}-"
    action = request.form.get(f"{prefix}action", "")
    into = request.form.get(f"{prefix}into", "0")
    hustings.moderate(selection, question, g.member, action, int(into) if into.isdigit() else None)
    return web.done(
        _("Question #%(id)s: %(state)s.", id=question.id, state=_(question.state)),
        "selections.moderation",
        selection_id=selection.id,
    )


@bp.route(
    "/selections/<int:selection_id>/questions/<int:question_id>/answer", methods=["GET", "POST"]
)
@member_required
@limiter.limit(POSTS, methods=["POST"])
def answer(selection_id: int, question_id: int) -> ResponseReturnValue:
    """A candidate's answer to one question; nobody else sees it until the answers publish."""
    selection = current(selection_id)
    question = get_or_404(Question, question_id)
    nomination = ops.nomination_of(selection, g.member)
    if question.selection_id != selection.id or question.state != "approved":
        abort(404)
    if nomination is None or nomination.withdrawn_at is not None:
        abort(403, _("Only the candidates answer hustings questions."))
    form = AnswerForm()
    if request.method == "GET":
        own = hustings.visible_answers(selection, nomination, g.member).get(question.id)
        form.text.data = own.text if own else ""
    answer = web.submit(
        form,
        lambda: hustings.answer(selection, nomination, question, g.member, form.text.data or ""),
        lambda _done: web.done(
            _("Your answer is saved. It is published with every candidate's when answers are due."),
            "selections.questions",
            selection_id=selection.id,
        ),
    )
    return answer or web.form_page(
        "selections/answer.html", form=form, selection=selection, question=question
    )


@bp.route("/selections/<int:selection_id>/hustings-event", methods=["GET", "POST"])
@officer_required
def hustings_event(selection_id: int) -> ResponseReturnValue:
    """Arrange the hustings meeting: an event in the events room, where members RSVP."""
    selection = current(selection_id)
    form = HustingsEventForm()
    answer = web.submit(
        form,
        lambda: hustings.create_event(
            selection,
            {
                "starts_at": form.starts_at.data,
                "ends_at": form.ends_at.data,
                "tz": "Europe/London",
                "place": form.place.data,
                "online_url": form.online_url.data,
            },
            g.member,
        ),
        lambda event: web.done(
            _("The hustings meeting is in the diary; members RSVP on its page."),
            "events.show",
            event_id=event.id,
        ),
    )
    return answer or web.form_page(
        "selections/hustings_event.html", form=form, selection=selection, group=current_group()
    )
