"""The "takes votes now" rule (``Ballot.taking_votes``) has two forms: Python, for the voter's
early refusal, and SQL, for the batch that stores votes under the write lock. They must agree
on every state and at every edge of the voting window, or a vote could be refused on its page
and stored by the batch (or the other way round)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from node import clock
from node.errors import Conflict
from node.extensions import db
from tests.ballots.helpers import make_ballot


def test_python_and_sql_agree_at_every_edge(app: Any, group: Any, officer: Any) -> None:
    from node.ballots.models import STATES, Ballot
    from node.ballots.voting import check_open

    assert list(STATES)[:2] == ["draft", "open"] and len(STATES) == 5

    ballot = make_ballot(group, officer)
    opens = clock.utcnow_naive().replace(microsecond=0)
    closes = opens + timedelta(days=2)
    second = timedelta(seconds=1)
    moments = [opens - second, opens, opens + second, closes - second, closes, closes + second]
    seen = []
    for state in STATES:
        ballot.state, ballot.opens_at, ballot.closes_at = state, opens, closes
        db.session.commit()
        for now in moments:
            here = ballot.taking_votes(now)
            in_sql = db.session.scalar(
                select(Ballot.id).where(Ballot.id == ballot.id, Ballot.taking_votes(now))
            )
            assert here == (in_sql is not None), (state, now - opens)
            with clock.frozen(now):
                if here:
                    check_open(ballot)
                else:
                    with pytest.raises(Conflict):
                        check_open(ballot)
            seen.append(here)
    # open from its opening second up to (not including) its closing second, in no other state
    assert seen == [False] * 6 + [False, True, True, True, False, False] + [False] * 18
