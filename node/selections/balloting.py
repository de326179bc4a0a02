"""From nominations to a ballot, and the selection's periodic work.

When nominations close (the scheduler's ``selections`` task, or lazily on a request) the
selection is *claimed* once (``closed_at``) and its valid nominees become the candidates of a
ballot of the ballots room: STV (Scottish rules) for more than one place, the alternative vote
(IRV) for one, opening and closing at the timetable's times and scheduled, so the ballots room
opens, mails, closes and counts it as any other. Its result flows into that room's decision and
signed candidate endorsements (office, area and election date are copied onto the ballot).

No more valid nominees than places is *uncontested*: no ballot is made and the officers are told
in the audit log. A ballot the ballots room refuses (an empty electorate, two candidates with the
same name, a closing time already passed) is *held*: the draft is kept, unscheduled, for an
officer to fix, and the refusal goes to the audit log.

:func:`option_links` is the ``option_details`` provider: on a ballot paper made from a
selection, each candidate links to their statement and answers.
"""

from __future__ import annotations

from flask import url_for
from sqlalchemy import ColumnElement, select

from node import clock, timefmt
from node.audit import record
from node.ballots import operations as ballots
from node.ballots.models import Ballot
from node.ballots.spec import BallotSpec
from node.ballots.spec import validate as validate_ballot
from node.errors import Conflict, OperationError
from node.extensions import db
from node.scheduler import Item, each_item
from node.selections import mailing, news
from node.selections.hustings import publish_answers
from node.selections.models import Nomination, Selection
from node.selections.operations import claim_undecided, valid_nominations


def method_for(places: int) -> str:
    return "scottish-stv" if places > 1 else "irv"


def _spec(selection: Selection, names: list[str]) -> BallotSpec:
    now = clock.utcnow_naive().replace(microsecond=0)
    places = selection.places
    return BallotSpec(
        title=f"Selection: {selection.title}"[:200],
        question=(
            f"Whom should the group back for {selection.office} in {selection.area} at the "
            f"election on {timefmt.day(selection.election_date, plain=True)}? "
            f"{places} place{'s' if places != 1 else ''}. Each candidate's statement and "
            "hustings answers are linked from their name."
        ),
        kind="candidate-selection",
        method=method_for(places),
        opens_at=max(selection.ballot_opens_at, now),
        closes_at=selection.ballot_closes_at,
        freeze_on=selection.nominations_close_at.date(),
        options=names,
        seats=places,
        office=selection.office,
        area=selection.area,
        election_date=selection.election_date,
    )


def close_nominations(selection: Selection) -> str | None:
    """Close the nominations and make the ballot; the outcome (``models.OUTCOMES``), or None
    when it is not time yet or another process did it first."""
    now = clock.utcnow_naive()
    if now < selection.nominations_close_at or selection.cancelled_at is not None:
        return None
    if not claim_undecided(selection, closed_at=now):
        return None
    selection.closed_at = now
    valid = valid_nominations(selection)
    selection.outcome = _into_ballot(selection, valid)
    news.nominations_closed(selection, len(valid))
    return selection.outcome


def _into_ballot(selection: Selection, valid: list[Nomination]) -> str:
    """The ballot of the valid nominees, or why there is none (``models.OUTCOMES``)."""
    now = clock.utcnow_naive()
    group = selection.group
    # Nomination numbers, not names: the audit log outlives an erasure.
    stands = ", ".join(f"nomination #{n.id}" for n in valid) or "none"
    record(group, None, "close-nominations", f"selection #{selection.id}", f"valid: {stands}")
    if len(valid) <= selection.places:
        record(group, None, "selection-uncontested", f"selection #{selection.id}", stands)
        return "uncontested"
    for position, nomination in enumerate(valid):
        nomination.ballot_position = position
    spec = _spec(selection, [n.nominee.name for n in valid])
    try:  # both refuse before they write anything (the checks come first)
        validate_ballot(spec, now)
        ballot = ballots.create_ballot(group, spec, None)
    except OperationError as exc:
        record(group, None, "selection-held", f"selection #{selection.id}", str(exc))
        return "held"
    selection.ballot_id = ballot.id
    try:
        ballots.schedule_ballot(ballot, None)
    except OperationError as exc:
        record(group, None, "selection-held", f"ballot #{ballot.id}", str(exc))
        return "held"
    return "ballot"


# ----------------------------------------------------------------------------- periodic work
_JOB_LABELS = {
    "close": "Closing nominations of",
    "publish": "Publishing the answers of",
    "ballot-news": "Telling followers of the ballot of",
}


_MAILED_AFTER = {"close": "closed", "publish": "answers"}


def due_jobs() -> list[Item[tuple[str, int]]]:
    now = clock.utcnow_naive()
    rows: list[tuple[str, ColumnElement[bool]]] = [
        (
            "close",
            Selection.closed_at.is_(None)
            & Selection.cancelled_at.is_(None)
            & (Selection.nominations_close_at <= now),
        ),
        (
            "publish",
            Selection.closed_at.is_not(None)
            & Selection.answers_published_at.is_(None)
            & (Selection.answers_due_at <= now),
        ),
        (
            "ballot-news",
            Selection.ballot_id.in_(select(Ballot.id).where(Ballot.state == "open"))
            & Selection.ballot_news_at.is_(None),
        ),
    ]
    rows += [(f"mail-{step}", mailing.due_condition(step)) for step in mailing.STEPS]
    jobs: list[Item[tuple[str, int]]] = []
    for job, condition in rows:
        for sid, group_id in db.session.execute(
            select(Selection.id, Selection.group_id).where(condition).order_by(Selection.id)
        ):
            what = _JOB_LABELS.get(job) or mailing.LABELS[job.removeprefix("mail-")]
            label = f"{what} selection #{sid}"
            jobs.append(Item(f"selection-{sid}-{job}", group_id, label, (job, sid)))
    return jobs


def run_job(job: tuple[str, int]) -> int:
    kind, selection_id = job
    selection = db.session.get(Selection, selection_id)
    if selection is None:
        return 0
    try:
        if kind.startswith("mail-"):
            return int(mailing.mail_step(selection, kind.removeprefix("mail-")))
        if kind == "close":
            done = close_nominations(selection) is not None
        elif kind == "publish":
            done = publish_answers(selection)
        else:
            done = news.ballot_opened(selection)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        return 0
    if done and kind in _MAILED_AFTER:  # at once, not a run later (the step is claimed)
        mailing.mail_step(selection, _MAILED_AFTER[kind])
    return int(done)


def run_due() -> int:
    """Close due nominations (making ballots), publish due answers, tell followers, mail each
    step to the electorate (``mailing``); one transaction per selection and job, one failure
    never holding up another (``node.scheduler.each_item``)."""
    return each_item("selections", due_jobs(), run_job)


# ----------------------------------------------------------------------------- the ballot paper
def option_links(ballot: Ballot) -> dict[int, str]:
    """Option position -> the address of that candidate's statement and answers, for a ballot
    made from a selection (empty for any other ballot)."""
    selection = db.session.scalar(
        select(Selection).where(
            Selection.ballot_id == ballot.id, Selection.group_id == ballot.group_id
        )
    )
    if selection is None:
        return {}
    return {
        n.ballot_position: url_for(
            "selections.candidate", selection_id=selection.id, nomination_id=n.id
        )
        for n in selection.nominations
        if n.ballot_position is not None
    }
