"""What followers of a selection are told, through the kernel's follow-and-digest
(``node.organising.follows``): nominations closed, answers published, ballot opened. Each is
recorded in the transaction of the change it reports; the ``follows.digest`` task mails it."""

from __future__ import annotations

from sqlalchemy import update

from node import clock, timefmt
from node.ballots.models import Ballot
from node.extensions import db
from node.organising import follows
from node.selections.models import OUTCOMES, Selection
from node.selections.operations import FOLLOW_KIND

KIND = FOLLOW_KIND


def _path(selection: Selection) -> str:
    return f"/selections/{selection.id}"


def nominations_closed(selection: Selection, candidates: int) -> None:
    outcome = OUTCOMES.get(selection.outcome or "", "")
    text = (
        f"Nominations closed for {selection.title}: {candidates} valid "
        f"nomination{'s' if candidates != 1 else ''}. {outcome}."
    )
    follows.record_news(selection.group, KIND, selection.id, text, _path(selection))


def answers_published(selection: Selection) -> None:
    text = f"The candidates' hustings answers for {selection.title} are published."
    follows.record_news(selection.group, KIND, selection.id, text, f"{_path(selection)}/questions")


def ballot_opened(selection: Selection) -> bool:
    """Tell followers once that the ballot is open (claimed, so twice is impossible)."""
    ballot = db.session.get(Ballot, selection.ballot_id) if selection.ballot_id else None
    if ballot is None or ballot.state != "open" or selection.ballot_news_at is not None:
        return False
    now = clock.utcnow_naive()
    claimed = db.session.scalar(
        update(Selection)
        .where(Selection.id == selection.id, Selection.ballot_news_at.is_(None))
        .values(ballot_news_at=now)
        .returning(Selection.id)
        .execution_options(synchronize_session=False)
    )
    if claimed is None:
        return False
    selection.ballot_news_at = now
    text = (
        f"The ballot for {selection.title} is open until "
        f"{timefmt.when(ballot.closes_at, plain=True)}."
    )
    follows.record_news(selection.group, KIND, selection.id, text, f"/ballots/{ballot.id}")
    return True
