"""The officer's pages for setting a ballot up and acting on it: the guided ballot form,
scheduling, opening and cancelling, each irreversible step behind a confirmation page.

Routes are added to the ballots blueprint (``node.ballots.views.bp``); ``setup.init_app``
imports this module before registering it. The form asks the kind first (``?kind=`` on
``/ballots/new``, a plain GET form, so it works without JavaScript) and then shows only that
kind's fields (``forms.shown_fields``). Opening and cancelling POST to the same address twice:
without ``confirm=yes`` the answer is a page saying exactly what will happen; with it, the action.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import func, select
from wtforms import SelectChoice

from node import clock
from node.ballots import operations as ops
from node.ballots.electorate import electorate_query, electorate_size
from node.ballots.forms import (
    KIND_QUESTIONS,
    BallotForm,
    method_choices,
    resolve_method,
    shown_fields,
)
from node.ballots.models import KINDS, Ballot, CastBallot
from node.ballots.spec import (
    FIELDS,
    LONDON,
    BallotSpec,
    campaign_choices,
    from_london,
    to_london_naive,
)
from node.ballots.views import bp, visible_ballot
from node.errors import Invalid, OperationError
from node.extensions import db
from node.i18n import ngettext
from node.mail import MailLog
from node.members.access import officer_required
from node.members.models import Member
from node.tenancy import current_group
from node.web import check_form, done, form_page, submit

CONFIRMED = "yes"


# ----------------------------------------------------------------------------- the ballot form
def _spec(form: BallotForm) -> BallotSpec:
    """The form's answers as a spec: its times are UK wall-clock, its options one a line."""
    values = {name: form[name].data for name in FIELDS}
    kind = values["kind"] or ""
    seats = values["seats"] or 1
    values.update(
        title=values["title"] or "",
        question=values["question"] or "",
        seats=seats,
        method=resolve_method(kind, values["method"], seats),
        opens_at=from_london(values["opens_at"]),
        closes_at=from_london(values["closes_at"]),
        requires_national_good_standing=bool(values["requires_national_good_standing"]),
        campaign_id=values["campaign_id"] or None,
    )
    return BallotSpec(options=(form.options.data or "").splitlines(), **values)


def _form(**kwargs: Any) -> BallotForm:
    form = BallotForm(**kwargs)
    form.campaign_id.choices = [
        SelectChoice("0", "—"),
        *(SelectChoice(str(i), t) for i, t in campaign_choices(current_group())),
    ]
    if form.campaign_id.data is None:  # a ballot backing no campaign; the field may be hidden
        form.campaign_id.data = 0
    return form


def _fill_defaults(form: BallotForm) -> None:
    """A new ballot's times: opens tomorrow at 09:00 UK time for a week; everyone who is a
    member today may vote. Together with the kind's defaults this is a ballot that saves as is."""
    today = clock.now().astimezone(LONDON).date()
    opens = datetime.combine(today + timedelta(days=1), time(9, 0))
    form.opens_at.data = opens
    form.closes_at.data = opens + timedelta(days=7)
    form.freeze_on.data = today


def _errors(form: BallotForm, shown: tuple[str, ...]) -> list[tuple[str | None, str]]:
    """The error summary: (the id of the field to link to, or None if not shown; the message)."""
    csrf = getattr(form, "csrf_token", None)  # no such field when CSRF is switched off
    return [
        (field.id if field.name in shown else None, error)
        for field in form
        if field.name != "csrf_token"
        for error in field.errors
    ] + [(None, error) for error in (csrf.errors if csrf is not None else [])]


def _form_page(form: BallotForm, ballot: Ballot | None) -> ResponseReturnValue:
    kind = form.kind.data if form.kind.data in KINDS else None
    if kind is None:  # step 1: what is this ballot deciding?
        errors = [("kind-" + next(iter(KIND_QUESTIONS)), e) for e in form.kind.errors]
        return form_page(
            "ballots/form.html",
            form=form,
            ballot=None,
            kind=None,
            questions=KIND_QUESTIONS,
            errors=errors,
        )
    form.method.choices = method_choices(kind)
    if kind == "choice":
        form.options.label.text = _("Options, one per line")
    shown = shown_fields(kind)
    return form_page(
        "ballots/form.html",
        form=form,
        ballot=ballot,
        kind=kind,
        kinds=KINDS,
        shown=shown,
        errors=_errors(form, shown),
    )


@bp.route("/ballots/new", methods=["GET", "POST"])
@officer_required
def new() -> ResponseReturnValue:
    form = _form()
    if request.method == "GET":
        _fill_defaults(form)
        form.kind.data = request.args.get("kind")
        if form.kind.data is not None and form.kind.data not in KINDS:
            form.kind.errors = [_("Choose what the ballot decides.")]
    saved = submit(
        form,
        lambda: ops.create_ballot(current_group(), _spec(form), g.member),
        lambda ballot: done(
            _("Draft saved. Check the electorate, then schedule or open it."),
            "ballots.electorate",
            ballot_id=ballot.id,
        ),
    )
    return saved or _form_page(form, None)


@bp.route("/ballots/<int:ballot_id>/edit", methods=["GET", "POST"])
@officer_required
def edit(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    if ballot.state != "draft":
        abort(409, _("This ballot is no longer a draft, so it can no longer be changed."))
    form = _form(obj=ballot)
    if request.method == "GET":
        form.options.data = "\n".join(o.name for o in ballot.options)
        form.opens_at.data = to_london_naive(ballot.opens_at)
        form.closes_at.data = to_london_naive(ballot.closes_at)
    saved = submit(
        form,
        lambda: ops.update_ballot(ballot, _spec(form), g.member),
        lambda _saved: done(
            _("Saved. Check the electorate again before it opens."),
            "ballots.electorate",
            ballot_id=ballot.id,
        ),
    )
    return saved or _form_page(form, ballot)


# ----------------------------------------------------------------------------- acting on it
def _act(
    ballot: Ballot, action: Callable[[Ballot], object], message: str | Callable[[], str]
) -> ResponseReturnValue:
    """Run ``action``; a refusal goes back to the electorate page with the reason. ``message``
    (or what it returns, after the action) says what happened."""
    try:
        action(ballot)
    except OperationError as exc:
        db.session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("ballots.electorate", ballot_id=ballot.id), 303)
    return done(message() if callable(message) else message, "ballots.show", ballot_id=ballot.id)


def _confirmed() -> bool:
    return request.form.get("confirm") == CONFIRMED


def mail_outcome(entries: list[MailLog]) -> str:
    """What the mail of an action to the electors did, in words: only what happened."""
    if not entries:
        return _("No electors have an e-mail address, so nobody was e-mailed.")
    if any(e.status == "disabled" for e in entries):
        return _(
            "Nobody was e-mailed: mail is switched off on this server. Tell the electors yourself."
        )
    failed = sum(1 for e in entries if e.status == "failed")
    sent = len(entries) - failed
    said = ngettext("%(num)s elector e-mailed", "%(num)s electors e-mailed", sent)
    if failed:
        said += _("; %(failed)s could not be sent (see “E-mails sent”)", failed=failed)
    return said + "."


def _opening_mail(ballot: Ballot) -> str:
    entries = db.session.scalars(
        select(MailLog).where(
            MailLog.group_id == ballot.group_id, MailLog.category == f"ballot-{ballot.id}-open"
        )
    ).all()
    return mail_outcome(list(entries))


def _scheduled_message() -> str:
    if current_app.config["MAIL_ENABLED"]:
        return _("Scheduled: the ballot opens on time and the electors are e-mailed then.")
    return _(
        "Scheduled: the ballot opens on time. Nobody will be e-mailed: mail is switched off on "
        "this server, so give the electors printed voting codes (on the turnout page) once it opens."
    )


def _confirm_opening(ballot: Ballot, endpoint: str) -> ResponseReturnValue:
    """The page that says what opening now does, or the reason it cannot open."""
    size = electorate_size(ballot) if ballot.state == "draft" else 0
    if ballot.state != "draft" or size == 0 or ballot.closes_at <= clock.utcnow_naive():
        # It cannot open: the operation refuses with the reason (and changes nothing).
        return _act(ballot, lambda b: ops.schedule_ballot(b, g.member, open_now=True), "")
    with_address = db.session.scalar(
        select(func.count()).select_from(
            electorate_query(ballot).where(Member.email.is_not(None)).subquery()
        )
    )
    return render_template(
        "ballots/confirm.html",
        ballot=ballot,
        action=url_for(endpoint, ballot_id=ballot.id),
        heading=_("Open “%(title)s” now?", title=ballot.title),
        button=_("Open the ballot and e-mail the electors"),
        electorate=size,
        with_address=with_address or 0,
        mail_enabled=bool(current_app.config["MAIL_ENABLED"]),
        opening=True,
    )


@bp.route("/ballots/<int:ballot_id>/schedule", methods=["POST"])
@officer_required
def schedule(ballot_id: int) -> ResponseReturnValue:
    """Open on time; a ballot whose opening time has passed would open now, so that is confirmed."""
    ballot = visible_ballot(ballot_id)
    check_form()
    opens_now = ballot.state == "draft" and ballot.opens_at <= clock.utcnow_naive()
    if opens_now and not _confirmed():
        return _confirm_opening(ballot, "ballots.schedule")
    return _act(
        ballot,
        lambda b: ops.schedule_ballot(b, g.member),
        (lambda: _("The ballot is open.") + " " + _opening_mail(ballot))
        if opens_now
        else _scheduled_message(),
    )


@bp.route("/ballots/<int:ballot_id>/open-now", methods=["POST"])
@officer_required
def open_now(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    check_form()
    if not _confirmed():
        return _confirm_opening(ballot, "ballots.open_now")
    return _act(
        ballot,
        lambda b: ops.schedule_ballot(b, g.member, open_now=True),
        lambda: _("The ballot is open.") + " " + _opening_mail(ballot),
    )


@bp.route("/ballots/<int:ballot_id>/unschedule", methods=["POST"])
@officer_required
def unschedule(ballot_id: int) -> ResponseReturnValue:
    ballot = visible_ballot(ballot_id)
    check_form()
    return _act(ballot, lambda b: ops.unschedule_ballot(b, g.member), _("Held back as a draft."))


# ----------------------------------------------------------------------------- cancelling
def _cancel_page(ballot: Ballot, error: str | None = None) -> ResponseReturnValue:
    papers = db.session.scalar(select(func.count()).where(CastBallot.ballot_id == ballot.id))
    page = render_template(
        "ballots/confirm.html",
        ballot=ballot,
        action=url_for("ballots.cancel", ballot_id=ballot.id),
        heading=_("Cancel “%(title)s”?", title=ballot.title),
        button=_("Cancel the ballot for good"),
        papers=papers or 0,
        electorate=ballot.electorate_size or 0,
        reason=request.form.get("reason", ""),
        reason_error=error,
        max_reason=ops.MAX_REASON,
        mail_enabled=bool(current_app.config["MAIL_ENABLED"]),
        cancelling=True,
    )
    return page, 400 if error else 200


@bp.route("/ballots/<int:ballot_id>/cancel", methods=["GET", "POST"])
@officer_required
def cancel(ballot_id: int) -> ResponseReturnValue:
    """Withdraw a draft or an open ballot, with a reason, after a page saying what it does."""
    ballot = visible_ballot(ballot_id)
    if ballot.state not in ops.CANCELLABLE:
        abort(409, _("Only a draft or an open ballot can be cancelled; this one has closed."))
    if request.method == "GET":
        return _cancel_page(ballot)
    check_form()
    was_open = ballot.state == "open"
    try:
        entries = ops.cancel_ballot(ballot, g.member, request.form.get("reason", ""))
    except Invalid as exc:
        db.session.rollback()
        return _cancel_page(ballot, exc.message)
    message = _("The ballot is cancelled.")
    if was_open:
        message += " " + _("No paper will be counted.") + " " + mail_outcome(entries)
    return done(message, "ballots.show", ballot_id=ballot.id)
