"""Voting without an account (node.ballots.voting_links): the public pages ``/vote/<token>``
(a personal voting link) and ``/vote`` (a printed voting code), and the officers' turnout page,
where they re-issue a link, print codes and see who has not voted (never how anyone voted).

The public pages are on the ballots blueprint; a link or code only works on its own group's
site. They answer ``no-store`` and ``Referrer-Policy: no-referrer``: the URL is the secret.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError, OperationalError
from werkzeug.wrappers import Response

from node import mail_outcome
from node.auth.views import failures_limited
from node.ballots import voting
from node.ballots import voting_links as links
from node.ballots.electorate import Standing
from node.ballots.forms import VoteCodeForm
from node.ballots.models import MOTION_CHOICES, PARTICIPATION_METHODS, Ballot, VotingCredential
from node.ballots.views import bp, receipt_page, review_page, review_step
from node.errors import Conflict, OperationError
from node.extensions import db
from node.forms import EmptyForm
from node.i18n import N_
from node.members.access import officer_required, public
from node.members.models import Member
from node.tenancy import current_group, get_or_404, group_url
from node.web import check_form, ids_from_form, paginate

SECRET_PAGE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
USED = N_("This link or code has already been used to vote")


def _refused(heading: str, message: str, status: int) -> ResponseReturnValue:
    page = render_template("ballots/vote_refused.html", heading=heading, message=message)
    return page, status, SECRET_PAGE


def _paper(
    ballot: Ballot, member: Member, error: str | None = None, status: int = 200, **extra: Any
) -> ResponseReturnValue:
    posted = request.form if request.method == "POST" else {}
    offered = voting.offer_receipt(ballot, member, posted)
    return (
        render_template(
            "ballots/vote_link.html",
            ballot=ballot,
            error=error,
            form=EmptyForm(),
            motion_choices=MOTION_CHOICES,
            posted=posted,
            offered=offered,
            **extra,
        ),
        status,
        SECRET_PAGE,
    )


def _cast(
    credential: VotingCredential, ballot: Ballot, member: Member, place: Standing, **extra: Any
) -> ResponseReturnValue:
    """Check the form and show the review, or use up the credential and cast the vote: the
    receipt, or the paper again (with the choices kept, after an error or "Change my vote")."""
    if not EmptyForm().validate_on_submit():
        return _paper(ballot, member, _("Your page expired; please vote again."), 400, **extra)
    step = review_step()
    if step == "change":
        return _paper(ballot, member, **extra)
    try:
        if step == "review":
            checked = voting.review_vote(
                ballot, member, request.form, request.form.getlist("approve"), place
            )
            if isinstance(checked, voting.Review):
                return review_page(ballot, checked, SECRET_PAGE, **extra)
            return receipt_page(ballot, checked, SECRET_PAGE)
        cast = links.cast_with(credential, ballot, member, request.form, place)
    except Conflict as exc:
        db.session.rollback()
        return _refused(_(USED), exc.message, 409)
    except OperationError as exc:
        db.session.rollback()
        return _paper(ballot, member, exc.message, exc.status, **extra)
    except IntegrityError:
        db.session.rollback()
        return _refused(
            _(USED), _("A vote has already been cast with it; a vote cannot be changed."), 409
        )
    except OperationalError:  # SQLite busy under a burst: nothing was stored
        db.session.rollback()
        return _paper(
            ballot, member, _("The server is busy; your vote was not stored."), 503, **extra
        )
    return receipt_page(ballot, cast, SECRET_PAGE)


def _used(exc: links.CredentialRefused, secret: str, kind: str) -> ResponseReturnValue:
    """The refusal of a link or code that cannot be used, unless the POST is the very paper that
    used it, sent again (a reload, a lost reply): then the receipt it got, again."""
    if exc.status == 409 and request.method == "POST" and EmptyForm().validate_on_submit():
        earlier = links.repeat(current_group(), secret, kind, request.form)
        if earlier is not None:
            return receipt_page(*earlier, SECRET_PAGE)
    return _refused(exc.heading, exc.message, exc.status)


@bp.route("/vote/<token>", methods=["GET", "POST"])
@public
def vote_link(token: str) -> ResponseReturnValue:
    try:
        credential, ballot, member, place = links.find(current_group(), token, "link")
    except links.CredentialRefused as exc:
        return _used(exc, token, "link")
    if request.method == "POST":
        return _cast(credential, ballot, member, place, action=request.path, hidden={})
    return _paper(ballot, member, action=request.path, hidden={})


@bp.route("/vote", methods=["GET", "POST"])
@public
@failures_limited
def vote_code() -> ResponseReturnValue:
    """Step 1: the code box. Step 2 (a good code): the paper, carrying the code. Step 3: cast.
    Only refused attempts count against the rate limit, so a room of voters behind one address
    is not locked out by their own good codes."""
    group = current_group()
    form = VoteCodeForm()
    if request.method == "GET" or not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        page = render_template("ballots/vote_code.html", form=form)
        return page, status, SECRET_PAGE
    code = links.normalise_code(form.code.data or "")
    try:
        credential, ballot, member, place = links.find(group, code, "code")
    except links.CredentialRefused as exc:
        if "cast" not in request.form:
            return _refused(exc.heading, exc.message, exc.status)
        return _used(exc, code, "code")
    extra: dict[str, Any] = {
        "action": url_for("ballots.vote_code"),
        "hidden": {"code": code, "cast": "1"},
    }
    if "cast" in request.form:
        return _cast(credential, ballot, member, place, **extra)
    return _paper(ballot, member, **extra)


# ----------------------------------------------------------------------------- officers
def _open_ballot(ballot_id: int) -> Ballot:
    ballot = get_or_404(Ballot, ballot_id)
    if ballot.state == "draft":
        abort(404)
    return ballot


@bp.route("/ballots/<int:ballot_id>/turnout")
@officer_required
def turnout(ballot_id: int) -> ResponseReturnValue:
    """Turnout by method and who has not voted yet, with link re-issue and code printing."""
    ballot = _open_ballot(ballot_id)
    return render_template(
        "ballots/turnout.html",
        ballot=ballot,
        by_method=links.turnout_by_method(ballot),
        methods=PARTICIPATION_METHODS,
        **paginate(links.not_voted_query(ballot), 50).context("members"),
        form=EmptyForm(),
    )


def _to_turnout(ballot: Ballot, message: str, category: str) -> Response:
    flash(message, category)
    return redirect(url_for("ballots.turnout", ballot_id=ballot.id), 303)


@bp.route("/ballots/<int:ballot_id>/turnout/<int:member_id>/link", methods=["POST"])
@officer_required
def reissue_link(ballot_id: int, member_id: int) -> ResponseReturnValue:
    ballot = _open_ballot(ballot_id)
    check_form()
    try:
        member, mailed = links.reissue_link(ballot, member_id, g.member)
    except OperationError as exc:
        db.session.rollback()
        return _to_turnout(ballot, exc.message, "error")
    db.session.commit()
    if mailed.status == "sent":
        message = _(
            "A new voting link was e-mailed to %(name)s; the old one no longer works.",
            name=member.name,
        )
        return _to_turnout(ballot, message, "info")
    why = mail_outcome.SWITCHED_OFF if mailed.status == "disabled" else _("it could not be sent")
    message = _(
        "The new voting link was not e-mailed to %(name)s: %(why)s. Their old link no longer "
        "works: print them a voting code instead.",
        name=member.name,
        why=why,
    )
    return _to_turnout(ballot, message, "error")


@bp.route("/ballots/<int:ballot_id>/codes", methods=["POST"])
@officer_required
def codes(ballot_id: int) -> ResponseReturnValue:
    """The print-friendly slips, shown once (only hashes are kept)."""
    ballot = _open_ballot(ballot_id)
    check_form()
    try:
        slips = links.issue_codes(ballot, ids_from_form("member"), g.member)
    except OperationError as exc:
        db.session.rollback()
        return _to_turnout(ballot, exc.message, "error")
    db.session.commit()
    return (
        render_template(
            "ballots/codes.html",
            ballot=ballot,
            slips=slips,
            vote_url=group_url(current_group(), "/vote"),
        ),
        200,
        SECRET_PAGE,
    )
