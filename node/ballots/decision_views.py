"""The officer's confirmation page: publish a ballot's decision as signed statements.

Routes are added to the ballots blueprint (``node.ballots.views.bp``); ``setup.init_app``
imports this module before registering it. Thin: ``decisions.publish_decision`` does the work in
the request's transaction, which this view commits or rolls back as a whole.
"""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for

from node.auth.access import officer_required
from node.ballots import decisions
from node.ballots import operations as ops
from node.ballots.forms import DecisionForm
from node.ballots.models import KINDS, METHODS
from node.ballots.views import _closed, bp
from node.extensions import db


def _page(ballot, form, error: str | None = None, status: int = 200):  # type: ignore[no-untyped-def]
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
def decision(ballot_id: int):  # type: ignore[no-untyped-def]
    """GET: what would be signed, asking for any missing detail. POST: sign and publish."""
    ballot = _closed(ballot_id)
    form = DecisionForm()
    if request.method == "GET":
        return _page(ballot, form)
    if not form.validate_on_submit():
        return _page(ballot, form, "Check the details below.", 400)
    details = decisions.Details(
        office=form.office.data,
        area=form.area.data,
        election_date=form.election_date.data,
        campaign_title=form.campaign_title.data,
        campaign_summary=form.campaign_summary.data,
        campaign_url=form.campaign_url.data,
    )
    try:
        rows = decisions.publish_decision(ballot, details, g.member)
    except ops.BallotError as exc:
        db.session.rollback()
        db.session.refresh(ballot)
        return _page(ballot, form, str(exc), exc.status)
    db.session.commit()
    seqs = ", ".join(str(row.seq) for row in rows)
    flash(
        f"Signed and published as statement{'s' if len(rows) > 1 else ''} {seqs}. "
        "Groups that follow us will receive it.",
        "info",
    )
    return redirect(url_for("ballots.result", ballot_id=ballot.id))
