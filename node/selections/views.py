"""Selection pages: the list, opening one, its page, and nominations (nominate, accept, second,
statement, withdraw, the officers' log). Hustings pages are in ``hustings_views``.

Every page of a selection first brings it up to date (:func:`current`): a nominations close or an
answers deadline that has passed is acted on before the page is drawn, whether or not a worker
runs, so nobody sees a stale phase.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from wtforms import SelectChoice

from node import web
from node.errors import Conflict, Invalid
from node.extensions import db, limiter
from node.members.access import member_required, officer_required
from node.organising import follows
from node.organising.times import to_local, to_utc
from node.selections import balloting, hustings, news
from node.selections import operations as ops
from node.selections.forms import TIMES, NominateForm, SelectionForm, StatementForm
from node.selections.models import MAX_REASON, OUTCOMES, Nomination, Selection
from node.selections.timetable import FIELDS, SelectionSpec
from node.tenancy import current_group, get_or_404

bp = Blueprint("selections", __name__)
POSTS = "60 per minute"  # each member's posts to one page, as the other rooms' forms


def current(selection_id: int) -> Selection:
    """The selection (this group's, or 404), with a due close or publication done first."""
    selection = get_or_404(Selection, selection_id)
    if selection.closed_at is None and balloting.close_nominations(selection) is not None:
        db.session.commit()
    if selection.answers_published_at is None and hustings.publish_answers(selection):
        db.session.commit()
    return selection


def nomination_in(selection: Selection, nomination_id: int) -> Nomination:
    nomination = get_or_404(Nomination, nomination_id)
    if nomination.selection_id != selection.id:
        abort(404)
    return nomination


@bp.route("/selections")
@member_required
def index() -> ResponseReturnValue:
    found = web.paginate(ops.selections_query(current_group()))
    return render_template("selections/index.html", **found.context("selections"), phase=ops.phase)


def _spec(form: SelectionForm) -> SelectionSpec:
    values: dict[str, Any] = {name: getattr(form, name).data for name in FIELDS}
    for name in TIMES:
        values[name] = to_utc(values[name])
    return SelectionSpec(**values)


@bp.route("/selections/new", methods=["GET", "POST"])
@officer_required
def new() -> ResponseReturnValue:
    form = SelectionForm()
    answer = web.submit(
        form,
        lambda: ops.open_selection(current_group(), _spec(form), g.member),
        lambda selection: web.done(
            _("The selection is open. Members can nominate from the opening time."),
            "selections.show",
            selection_id=selection.id,
        ),
    )
    return answer or web.form_page("selections/form.html", form=form)


@bp.route("/selections/<int:selection_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(selection_id: int) -> ResponseReturnValue:
    """Put the office, timetable or rules right until nominations close."""
    selection = current(selection_id)
    form = SelectionForm(obj=selection)
    if request.method == "GET":
        for name in TIMES:
            getattr(form, name).data = to_local(getattr(selection, name)).replace(tzinfo=None)
    answer = web.submit(
        form,
        lambda: ops.edit_selection(selection, _spec(form), g.member),
        lambda _done: web.done(
            _("The selection is changed."), "selections.show", selection_id=selection.id
        ),
    )
    return answer or web.form_page("selections/form.html", form=form, selection=selection)


def _cancel_page(selection: Selection, error: str | None = None) -> ResponseReturnValue:
    page = render_template(
        "selections/cancel.html",
        selection=selection,
        standing=len(ops.standing_nominations(selection)),
        reason=request.form.get("reason", ""),
        reason_error=error,
        max_reason=MAX_REASON,
    )
    return page, 400 if error else 200


@bp.route("/selections/<int:selection_id>/cancel", methods=["GET", "POST"])
@officer_required
def cancel(selection_id: int) -> ResponseReturnValue:
    """Call the selection off, with a reason, after a page saying what that does."""
    selection = current(selection_id)
    if not ops.undecided(selection):
        abort(409, ops.why_not_cancellable(selection))
    if request.method == "GET":
        return _cancel_page(selection)
    web.check_form()
    try:
        ops.cancel_selection(selection, g.member, request.form.get("reason", ""))
    except Invalid as exc:
        db.session.rollback()
        return _cancel_page(selection, exc.message)
    except Conflict as exc:  # closed a moment ago, by the worker
        db.session.rollback()
        abort(409, exc.message)
    message = _("The selection is cancelled. Its followers are told why in their next digest.")
    return web.done(message, "selections.show", selection_id=selection.id)


def _nominate_form(selection: Selection) -> NominateForm:
    form = NominateForm()
    form.nominee_id.choices = [
        SelectChoice(str(i), name) for i, name in ops.nominee_choices(selection)
    ]
    return form


def _show(selection: Selection, form: NominateForm, status: int = 200) -> ResponseReturnValue:
    member = g.member
    waiting = (
        [
            n
            for n in selection.nominations
            if n.nominee_id == member.id and n.accepted_at is None and n.withdrawn_at is None
        ]
        if ops.nominations_open(selection)
        else []
    )
    page = render_template(
        "selections/show.html",
        selection=selection,
        phase=ops.phase(selection),
        is_open=ops.nominations_open(selection),
        questions_open=hustings.questions_open(selection),
        in_good_standing=ops.in_good_standing(selection, member),
        mine=ops.nomination_of(selection, member),
        to_accept=waiting,
        standing=ops.standing_nominations(selection),
        valid=ops.valid_nominations(selection) if selection.closed_at else [],
        form=form,
        outcomes=OUTCOMES,
        method=balloting.method_for(selection.places),
        following=follows.is_following(member, news.KIND, selection.id),
        cancellable=ops.undecided(selection),
        ballot_cancelled=ops.ballot_cancelled(selection),
    )
    return page, status


@bp.route("/selections/<int:selection_id>")
@member_required
def show(selection_id: int) -> ResponseReturnValue:
    selection = current(selection_id)
    return _show(selection, _nominate_form(selection))


@bp.route("/selections/<int:selection_id>/nominate", methods=["POST"])
@member_required
@limiter.limit(POSTS, methods=["POST"])
def nominate(selection_id: int) -> ResponseReturnValue:
    """Nominate a member chosen from the list, or yourself (the form's "myself" button)."""
    selection = current(selection_id)
    form = _nominate_form(selection)
    me = g.member
    if request.form.get("nominee_id") == str(me.id):  # let the operation give the reason
        form.nominee_id.choices = [*(form.nominee_id.choices or []), SelectChoice(str(me.id))]
    answer = web.submit(
        form,
        lambda: ops.nominate(selection, me, form.nominee_id.data or 0),
        lambda n: web.done(
            _("You have nominated yourself. Now write your statement.")
            if n.nominee_id == me.id
            else _(
                "You have nominated %(name)s. They must accept before the close.",
                name=n.nominee.name,
            ),
            "selections.show",
            selection_id=selection.id,
        ),
    )
    return answer or _show(selection, form, 400)


def _action(selection_id: int, nomination_id: int, do: Any, message: str) -> ResponseReturnValue:
    selection = current(selection_id)
    nomination = nomination_in(selection, nomination_id)
    web.check_form()
    do(nomination, g.member)
    return web.done(message, "selections.show", selection_id=selection.id)


@bp.route("/selections/<int:selection_id>/nominations/<int:nomination_id>/accept", methods=["POST"])
@member_required
def accept(selection_id: int, nomination_id: int) -> ResponseReturnValue:
    return _action(selection_id, nomination_id, ops.accept, _("You have accepted the nomination."))


@bp.route("/selections/<int:selection_id>/nominations/<int:nomination_id>/second", methods=["POST"])
@member_required
@limiter.limit(POSTS, methods=["POST"])
def second(selection_id: int, nomination_id: int) -> ResponseReturnValue:
    return _action(selection_id, nomination_id, ops.second, _("You have seconded the nomination."))


@bp.route(
    "/selections/<int:selection_id>/nominations/<int:nomination_id>/withdraw", methods=["POST"]
)
@member_required
def withdraw(selection_id: int, nomination_id: int) -> ResponseReturnValue:
    return _action(selection_id, nomination_id, ops.withdraw, _("Your nomination is withdrawn."))


@bp.route(
    "/selections/<int:selection_id>/nominations/<int:nomination_id>/statement",
    methods=["GET", "POST"],
)
@member_required
@limiter.limit(POSTS, methods=["POST"])
def statement(selection_id: int, nomination_id: int) -> ResponseReturnValue:
    selection = current(selection_id)
    nomination = nomination_in(selection, nomination_id)
    if nomination.nominee_id != g.member.id:
        abort(403, _("Only the nominee writes their statement."))
    form = StatementForm()
    if request.method == "GET":
        form.statement.data = nomination.statement
    answer = web.submit(
        form,
        lambda: ops.write_statement(nomination, g.member, form.statement.data or ""),
        lambda _done: web.done(
            _("Your statement is saved."), "selections.show", selection_id=selection.id
        ),
    )
    return answer or web.form_page(
        "selections/statement.html",
        form=form,
        selection=selection,
        nomination=nomination,
        is_open=ops.nominations_open(selection),
    )


@bp.route("/selections/<int:selection_id>/follow", methods=["POST"])
@member_required
def follow(selection_id: int) -> ResponseReturnValue:
    """Follow (or, with ``stop``, stop following) the selection: news comes in a daily digest."""
    selection = current(selection_id)
    web.check_form()
    if request.form.get("stop"):
        follows.unfollow(current_group(), g.member, news.KIND, selection.id)
        message = _("You no longer follow this selection.")
    else:
        follows.follow(current_group(), g.member, news.KIND, selection.id)
        message = _("You follow this selection: its news comes in one digest e-mail a day at most.")
    return web.done(message, "selections.show", selection_id=selection.id)


@bp.route("/selections/<int:selection_id>/nominations")
@officer_required
def log(selection_id: int) -> ResponseReturnValue:
    """The officers' nomination log: every nomination, who made it, seconders, status."""
    selection = current(selection_id)
    return render_template("selections/log.html", selection=selection)


@bp.route("/selections/<int:selection_id>/candidates/<int:nomination_id>")
@member_required
def candidate(selection_id: int, nomination_id: int) -> ResponseReturnValue:
    """A candidate's statement and (once published) answers: linked from the ballot paper."""
    selection = current(selection_id)
    nomination = nomination_in(selection, nomination_id)
    own = nomination.nominee_id == g.member.id
    if not own and not (selection.closed_at and nomination.is_valid):
        abort(404)
    answers = hustings.visible_answers(selection, nomination, g.member)
    return render_template(
        "selections/candidate.html",
        selection=selection,
        nomination=nomination,
        questions=hustings.questions(selection, "approved"),
        answers=answers,
        own=own,
    )
