"""What followers of a selection are told, through the kernel's follow-and-digest
(``node.organising.follows``): nominations closed, answers published, ballot opened. Each is
recorded in the transaction of the change it reports; the ``follows.digest`` task mails it."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import update

from node import clock, timefmt
from node.ballots.models import Ballot
from node.extensions import db
from node.i18n import ngettext
from node.organising import follows
from node.selections.models import OUTCOMES, Selection
from node.selections.operations import FOLLOW_KIND, page_path

KIND = FOLLOW_KIND


def nominations_closed(selection: Selection, candidates: int) -> None:
    outcome = OUTCOMES.get(selection.outcome or "")
    text = ngettext(
        "Nominations closed for %(title)s: %(num)s valid nomination.",
        "Nominations closed for %(title)s: %(num)s valid nominations.",
        candidates,
        title=selection.title,
    )
    text += f" {_(outcome) if outcome else ''}."
    follows.record_news(selection.group, KIND, selection.id, text, page_path(selection))


def answers_published(selection: Selection) -> None:
    text = _("The candidates' hustings answers for %(title)s are published.", title=selection.title)
    follows.record_news(
        selection.group, KIND, selection.id, text, f"{page_path(selection)}/questions"
    )


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
    text = _(
        "The ballot for %(title)s is open until %(when)s.",
        title=selection.title,
        when=timefmt.when(ballot.closes_at, plain=True),
    )
    follows.record_news(selection.group, KIND, selection.id, text, f"/ballots/{ballot.id}")
    return True
