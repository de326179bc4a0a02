"""The officer's confirmation page: publish a ballot's decision as signed statements.

Routes are added to the ballots blueprint (``node.ballots.views.bp``); ``setup.init_app``
imports this module before registering it. Thin: ``decisions.publish_decision`` does the work in
the request's transaction, which this view commits or rolls back as a whole.
"""

from __future__ import annotations

from flask import g, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from node.ballots import decisions
from node.ballots.forms import DecisionForm
from node.ballots.models import KINDS, METHODS, Ballot
from node.ballots.views import bp, counted_ballot
from node.errors import OperationError
from node.extensions import db
from node.i18n import ngettext
from node.members.access import officer_required
from node.web import done


def _page(
    ballot: Ballot, form: DecisionForm, error: str | None = None, status: int = 200
) -> ResponseReturnValue:
    problem = decisions.refusal(ballot)
    return (
        render_template(
            "ballots/decision.html",
            ballot=ballot,
            form=form,
            problem=str(problem) if problem else None,
            preview=None if problem else decisions.preview(ballot),
            missing=decisions.missing(ballot),
            subject=decisions.subject_lines(ballot),
            kinds=KINDS,
            methods=METHODS,
            error=error,
        ),
        status,
    )


@bp.route("/ballots/<int:ballot_id>/decision", methods=["GET", "POST"])
@officer_required
def decision(ballot_id: int) -> ResponseReturnValue:
    """GET: what would be signed, asking for any missing detail. POST: sign and publish."""
    ballot = counted_ballot(ballot_id)
    form = DecisionForm()
    if request.method == "GET":
        return _page(ballot, form)
    if not form.validate_on_submit():
        return _page(ballot, form, _("Check the details below."), 400)
    details = decisions.Details()
    form.populate_obj(details)
    try:
        rows = decisions.publish_decision(ballot, details, g.member)
    except OperationError as exc:
        db.session.rollback()
        db.session.refresh(ballot)
        return _page(ballot, form, exc.message, exc.status)
    seqs = ", ".join(str(row.seq) for row in rows)
    return done(
        ngettext(
            "Signed and published as statement %(seqs)s. Groups that follow us will receive it.",
            "Signed and published as statements %(seqs)s. Groups that follow us will receive it.",
            len(rows),
            seqs=seqs,
        ),
        "ballots.result",
        ballot_id=ballot.id,
    )
