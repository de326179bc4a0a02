"""Ballot pages: list, electorate, voting and receipt, results and downloads (setting a ballot
up, opening and cancelling it: ``officer_views``).

Thin: every change goes through ``operations``/``voting``; a refused change answers with the
operation's message and status (400 bad input, 403 not an elector, 409 wrong state) and stores
nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from flask import Blueprint, Response, abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, exists, or_, select
from sqlalchemy.exc import IntegrityError, OperationalError

from node import mail_outcome
from node.ballots import decisions, results, voting
from node.ballots import operations as ops
from node.ballots.electorate import electorate_query, frozen_electorate_query, has_voted, is_elector
from node.ballots.models import KINDS, METHODS, MOTION_CHOICES, STATES, Ballot, CastBallot, Elector
from node.errors import OperationError
from node.extensions import db
from node.forms import EmptyForm
from node.members.access import member_required, officer_required, public
from node.members.models import Member
from node.tenancy import get_or_404, scoped
from node.web import check_form, csv_download, done, paginate

bp = Blueprint("ballots", __name__)
NO_STORE = {"Cache-Control": "no-store"}


def visible_ballot(ballot_id: int, officer_only_states: tuple[str, ...] = ("draft",)) -> Ballot:
    """The ballot, if the signed-in member may see it in its state (else 404)."""
    ballot = get_or_404(Ballot, ballot_id)
    if ballot.state in officer_only_states and not g.member.is_officer:
        abort(404)
    return ballot


def recountable_ballot(ballot_id: int) -> Ballot:
    """A counted ballot for the group's members; for anyone else, a published one whose group
    lets anyone recount its results (``Group.results_public``), else the sign-in page."""
    if g.get("member") is not None:
        return counted_ballot(ballot_id)
    if g.get("group") is None:
        abort(404)
    ballot = get_or_404(Ballot, ballot_id)
    if ballot.state != "published" or not g.group.results_public:
        if g.get("account") is None:
            abort(redirect(url_for("auth.signin", next=request.full_path)))
        abort(404)
    return ballot


def counted_ballot(ballot_id: int) -> Ballot:
    """A closed or published ballot whose result the signed-in member may see (else 404)."""
    ballot = visible_ballot(ballot_id, ("draft", "open"))
    if not (ballot.state == "published" or (ballot.state == "closed" and g.member.is_officer)):
        abort(404)
    return ballot


@bp.route("/ballots")
@member_required
def index() -> ResponseReturnValue:
    stmt = scoped(Ballot)
    if not g.member.is_officer:
        stmt = stmt.where(
            or_(
                Ballot.state.in_(("closed", "published")),
                exists().where(Elector.ballot_id == Ballot.id, Elector.member_id == g.member.id),
            ),
            Ballot.state != "draft",
        )
    stmt = stmt.order_by(Ballot.closes_at.desc(), Ballot.id.desc())
    ballots = paginate(stmt)
    voted = {b.id for b in ballots.items if has_voted(b, g.member)}
    return render_template(
        "ballots/index.html", **ballots.context("ballots"), voted=voted, states=STATES
    )


@bp.route("/ballots/<int:ballot_id>")
@member_required
def show(ballot_id: int) -> ResponseReturnValue:
    return _show(visible_ballot(ballot_id))


def _show(ballot: Ballot, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    member = g.member
    participation = has_voted(ballot, member)
    return (
        render_template(
            "ballots/show.html",
            ballot=ballot,
            error=error,
            elector=is_elector(ballot, member),
            participation=participation,
            offered=None if participation else voting.offer_receipt(ballot, member, request.form),
            form=EmptyForm(),
            motion_choices=MOTION_CHOICES,
            kinds=KINDS,
            methods=METHODS,
            states=STATES,
            subject=decisions.subject_lines(ballot),
            can_sign=member.is_officer and decisions.refusal(ballot) is None,
            posted=request.form if request.method == "POST" else {},
        ),
        status,
        NO_STORE,
    )


@bp.route("/ballots/<int:ballot_id>/vote", methods=["POST"])
@member_required
def vote(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    if not EmptyForm().validate_on_submit():
        return _show(ballot, _("Your session expired; please vote again."), 400)
    step = review_step()
    if step == "change":
        return _show(ballot)
    try:
        approvals = request.form.getlist("approve")
        if step == "review":
            checked = voting.review_vote(ballot, g.member, request.form, approvals)
            if isinstance(checked, voting.Review):
                action = url_for("ballots.vote", ballot_id=ballot.id)
                return review_page(ballot, checked, NO_STORE, action=action, hidden={})
            return receipt_page(ballot, checked, NO_STORE)
        cast = voting.submit_vote(ballot, g.member, request.form, approvals)
    except OperationError as exc:
        db.session.rollback()
        return _show(ballot, exc.message, exc.status)
    except IntegrityError:
        db.session.rollback()
        return _show(ballot, _("You have already voted in this ballot."), 409)
    except OperationalError:  # SQLite busy under a burst of submissions: nothing was stored
        db.session.rollback()
        return _show(ballot, _("The server is busy; your vote was not stored. Try again."), 503)
    return receipt_page(ballot, cast, NO_STORE)


def review_step() -> str:
    """What a posted ballot paper asks for: ``review`` (the paper's "Check my vote" button),
    ``change`` (back to the paper from the review) or ``cast`` (the review's "Cast my vote", or a
    client posting the paper directly: the review helps the voter, it guards nothing)."""
    if request.form.get("confirm") == "yes":
        return "cast"
    step = request.form.get("step")
    return step if step in ("review", "change") else "cast"


def review_page(
    ballot: Ballot, review: voting.Review, headers: dict[str, str], **paper: object
) -> ResponseReturnValue:
    """ "Check your vote": the choices in plain words and the receipt code; nothing is stored
    until the voter presses "Cast my vote" (the same choices and code, in hidden fields)."""
    page = render_template(
        "ballots/review.html",
        ballot=ballot,
        review=review,
        choices=results.paper_names(ballot, review.ranking),
        form=EmptyForm(),
        **paper,
    )
    return page, 200, headers


def receipt_page(ballot: Ballot, cast: voting.Cast, headers: dict[str, str]) -> ResponseReturnValue:
    """The receipt: 201 for a new vote, 200 for the same paper sent again (nothing new stored)."""
    page = render_template(
        "ballots/receipt.html",
        ballot=ballot,
        receipt=cast.receipt,
        repeated=cast.repeated,
        choices=results.paper_names(ballot, cast.ranking),
    )
    return page, 200 if cast.repeated else 201, headers


# ----------------------------------------------------------------------------- officer
def _electorate(ballot: Ballot) -> Select[Member]:
    """The live electorate of a draft; the frozen one once it has opened."""
    return electorate_query(ballot) if ballot.state == "draft" else frozen_electorate_query(ballot)


@bp.route("/ballots/<int:ballot_id>/electorate")
@officer_required
def electorate(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    return render_template(
        "ballots/electorate.html",
        ballot=ballot,
        **paginate(_electorate(ballot), 50).context("members"),
        mail_enabled=mail_outcome.mail_enabled(),
        form=EmptyForm(),
    )


@bp.route("/ballots/<int:ballot_id>/electorate.csv")
@officer_required
def electorate_csv(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    rows = [
        [m.id, m.name, m.email or "", m.joined_on.isoformat()]
        for m in db.session.scalars(_electorate(ballot))
    ]
    header = ["member_id", "name", "email", "joined_on"]
    return csv_download([header, *rows], f"ballot-{ballot.id}-electorate.csv")


def _officer_action(
    ballot_id: int, action: Callable[[Ballot], object], message: str
) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    check_form()
    try:
        action(ballot)
    except OperationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("ballots.electorate", ballot_id=ballot_id), 303)
    return done(message, "ballots.show", ballot_id=ballot_id)


@bp.route("/ballots/<int:ballot_id>/publish", methods=["POST"])
@officer_required
def publish(ballot_id: int) -> ResponseReturnValue:
    return _officer_action(
        ballot_id, lambda b: ops.publish_result(b, g.member), _("The result is published.")
    )


@bp.route("/ballots/<int:ballot_id>/mail")
@officer_required
def mail_log(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    entries = paginate(ops.mail_log_query(ballot), 50)
    return render_template("ballots/mail.html", ballot=ballot, **entries.context("entries"))


# ----------------------------------------------------------------------------- results
@bp.route("/ballots/<int:ballot_id>/result")
@public
def result(ballot_id: int) -> ResponseReturnValue:
    ballot = recountable_ballot(ballot_id)
    return render_template(
        "ballots/result.html",
        ballot=ballot,
        result=ballot.result or {},
        chart=results.transfer_chart(ballot.result or {}),
        form=EmptyForm(),
        blt_name=results.blt_filename(ballot),
        can_sign=decisions.refusal(ballot) is None,
    )


@bp.route("/ballots/<int:ballot_id>/result.json")
@public
def result_json(ballot_id: int) -> ResponseReturnValue:
    ballot = recountable_ballot(ballot_id)
    body = dict(ballot.result or {}, state=ballot.state, ballots_hash=ballot.ballots_hash)
    return Response(json.dumps(body, indent=2), mimetype="application/json")


@bp.route("/ballots/<int:ballot_id>/ballots.blt")
@public
def blt(ballot_id: int) -> ResponseReturnValue:
    ballot = recountable_ballot(ballot_id)
    return Response(
        ballot.blt or "",
        mimetype="text/plain",
        headers={"Content-Disposition": f'attachment; filename="{results.blt_filename(ballot)}"'},
    )


def _papers_query(ballot: Ballot) -> Select[CastBallot]:
    return (
        select(CastBallot)
        .where(CastBallot.group_id == ballot.group_id, CastBallot.ballot_id == ballot.id)
        .order_by(CastBallot.receipt_hash)
    )


@bp.route("/ballots/<int:ballot_id>/papers")
@member_required
def papers(ballot_id: int) -> ResponseReturnValue:
    ballot = counted_ballot(ballot_id)
    items, page, pages, total = paginate(_papers_query(ballot), 100)
    rows = [(p.receipt_hash, results.paper_names(ballot, p.ranking)) for p in items]
    return render_template(
        "ballots/papers.html", ballot=ballot, rows=rows, page=page, pages=pages, total=total
    )


@bp.route("/ballots/<int:ballot_id>/papers.csv")
@member_required
def papers_csv(ballot_id: int) -> ResponseReturnValue:
    ballot = counted_ballot(ballot_id)
    rows = [
        [paper.receipt_hash, " > ".join(results.paper_names(ballot, paper.ranking))]
        for paper in db.session.scalars(_papers_query(ballot))
    ]
    header = ["receipt_sha256", "preferences"]
    return csv_download([header, *rows], f"ballot-{ballot.id}-papers.csv", private=False)
