"""Closing nominations into a ballot: IRV for one place, nothing for an uncontested selection,
the paper's candidate links only on a ballot made from a selection; and erasure's policy."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.audit import AuditEntry
from node.ballots.models import Ballot
from node.extensions import db
from node.selections import balloting
from node.selections import operations as ops
from tests.ballots.helpers import make_ballot
from tests.selections.helpers import DAY, Site, make_selection


def _stand(selection, members):  # type: ignore[no-untyped-def]
    made = [ops.nominate(selection, m, m.id) for m in members]
    db.session.commit()
    return made


def test_one_place_is_an_alternative_vote_and_runs_by_the_task(app, group, officer, make_member):
    people = [make_member(group, name=f"Cand {i}") for i in range(3)]
    selection = make_selection(group, officer, places=1, seconders_needed=0)
    _stand(selection, people)
    assert balloting.run_due() == 1  # the opening mailed (test_mailing); not closed yet
    assert selection.closed_at is None and balloting.run_due() == 0
    clock.advance(2 * DAY + timedelta(minutes=1))
    assert balloting.run_due() == 1
    db.session.refresh(selection)
    ballot = db.session.get(Ballot, selection.ballot_id)
    assert (selection.outcome, ballot.method, ballot.seats) == ("ballot", "irv", 1)
    assert ballot.opens_at == selection.ballot_opens_at and ballot.scheduled
    assert balloting.run_due() == 0  # done once
    other = make_ballot(group, officer, open_it=True)
    voter = Site(app, officer.email)
    assert "statement and answers" not in voter.get(f"/ballots/{other.id}").get_data(as_text=True)


def test_no_more_valid_nominees_than_places_is_uncontested(app, group, officer, make_member):
    people = [make_member(group, name=f"Cand {i}") for i in range(2)]
    selection = make_selection(group, officer, places=2, seconders_needed=0)
    _stand(selection, people)
    clock.advance(2 * DAY + timedelta(minutes=1))
    page = Site(app, people[0].email).get(f"/selections/{selection.id}").get_data(as_text=True)
    assert "Uncontested" in page
    db.session.refresh(selection)
    assert selection.ballot_id is None and selection.outcome == "uncontested"
    assert db.session.scalar(select(Ballot)) is None
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"close-nominations", "selection-uncontested"} <= actions


def test_erasure_removes_what_a_candidate_wrote(app, group, officer, make_member):
    from node.members import erasure
    from node.selections import hustings

    people = [make_member(group, name=f"Cand {i}") for i in range(3)]
    selection = make_selection(group, officer, places=1, seconders_needed=0)
    gone, *_ = _stand(selection, people)
    ops.write_statement(gone, people[0], "MY-STATEMENT")
    question = hustings.ask(selection, people[1], "Why?")
    hustings.moderate(selection, question, officer, "approve")
    hustings.answer(selection, gone, question, people[0], "MY-ANSWER")
    db.session.commit()
    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    erasure.erase(people[0])
    db.session.commit()
    db.session.refresh(gone)
    assert gone.statement == "" and hustings.visible_answers(selection, gone, people[0]) == {}
    ballot = db.session.get(Ballot, selection.ballot_id)
    assert ballot.options[gone.ballot_position].name == "A former member (candidate 1)"
