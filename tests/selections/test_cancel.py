"""Cancelling a selection before its nominations close: a page saying what it does, a reason
required, and then nothing more happens (no nominating, accepting, seconding or asking, no
close, no ballot, no mailing) while followers are told and the audit log keeps the reason.
After the close it cannot be cancelled (its ballot is what to cancel); a member cannot."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.audit import AuditEntry
from node.ballots.models import Ballot
from node.errors import Conflict
from node.extensions import db
from node.organising.follows import News
from node.selections import balloting, hustings
from node.selections import operations as ops
from node.selections.models import Mailing, Nomination
from tests.selections.helpers import DAY, Site, make_selection, spec


@pytest.fixture
def members(group, make_member):  # type: ignore[no-untyped-def]
    return [
        make_member(group, email=f"m{i}@walton.example.org", name=f"Member {i}") for i in range(4)
    ]


def test_an_officer_cancels_with_a_reason_and_nothing_more_happens(app, group, officer, members):  # type: ignore[no-untyped-def]
    selection = make_selection(group, officer, seconders_needed=1)
    path = f"/selections/{selection.id}"
    sites = [Site(app, m.email) for m in members]
    assert sites[0].post(f"{path}/nominate", {"nominee_id": str(members[1].id)}).status_code == 302
    assert sites[2].post(f"{path}/nominate", {"nominee_id": str(members[2].id)}).status_code == 302
    pending, standing = db.session.scalars(select(Nomination).order_by(Nomination.id)).all()
    desk = Site(app, officer.email)
    assert f'href="{path}/cancel"' in desk.get(path).get_data(as_text=True)
    page = desk.get(f"{path}/cancel").get_data(as_text=True)
    assert 'id="confirm-standing">1<' in page  # the accepted one; a pending nomination is not
    refused = desk.post(f"{path}/cancel", {"reason": "  "})
    assert refused.status_code == 400
    assert "Say why the selection is cancelled" in refused.get_data(as_text=True)
    db.session.refresh(selection)
    assert selection.cancelled_at is None

    reason = "The ward is abolished by the boundary review."
    assert desk.post(f"{path}/cancel", {"reason": f" {reason}\n"}).status_code == 302
    db.session.refresh(selection)
    assert selection.cancel_reason == reason and ops.phase(selection) == "cancelled"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cancel-selection"))
    assert entry is not None and entry.detail == reason
    news = db.session.scalars(select(News).where(News.subject_id == selection.id)).all()
    assert [n.text for n in news if reason in n.text] and all(n.url == path for n in news)

    seen = sites[1].get(path).get_data(as_text=True)
    assert 'id="cancelled"' in seen and reason in seen
    assert "You have been nominated" not in seen and 'id="nominate"' not in seen
    assert sites[1].post(f"{path}/nominations/{pending.id}/accept", page=path).status_code == 409
    assert sites[3].post(f"{path}/nominations/{standing.id}/second", page=path).status_code == 409
    late = sites[3].post(f"{path}/nominate", {"nominee_id": str(members[3].id)})
    assert late.status_code == 409
    with pytest.raises(Conflict):
        hustings.ask(selection, members[3], "Will you stand again?")
    assert desk.get(f"{path}/cancel").status_code == 409  # once is for good
    with pytest.raises(Conflict, match="cancelled"):
        ops.edit_selection(selection, spec(office="Elsewhere"), officer)

    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    assert "cancelled" in sites[3].get(path).get_data(as_text=True)  # the page did not close it
    db.session.refresh(selection)
    assert selection.closed_at is None and selection.ballot_id is None
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0
    assert not [j for j in balloting.due_jobs() if j.value[1] == selection.id]


def test_a_member_cannot_cancel_nor_anyone_after_the_close(app, group, officer, members):  # type: ignore[no-untyped-def]
    selection = make_selection(group, officer, seconders_needed=0)
    path = f"/selections/{selection.id}"
    member = Site(app, members[0].email)
    assert member.get(f"{path}/cancel").status_code == 403
    assert member.post(f"{path}/cancel", {"reason": "Mine now"}).status_code == 403
    clock.advance(2 * DAY + timedelta(minutes=1))
    desk = Site(app, officer.email)
    assert f'href="{path}/cancel"' not in desk.get(path).get_data(as_text=True)  # closed by it
    db.session.refresh(selection)
    assert selection.closed_at is not None
    assert desk.post(f"{path}/cancel", {"reason": "Too late"}).status_code == 409
    with pytest.raises(Conflict, match="cancel the ballot instead"):
        ops.cancel_selection(selection, officer, "Too late")
    db.session.rollback()
    db.session.refresh(selection)
    assert selection.cancelled_at is None


def test_a_selection_cancelled_before_it_opens_is_never_announced(app, group, officer):  # type: ignore[no-untyped-def]
    now = clock.utcnow_naive().replace(microsecond=0)
    selection = make_selection(group, officer, nominations_open_at=now + timedelta(hours=1))
    ops.cancel_selection(selection, officer, "Opened by mistake")
    db.session.commit()
    clock.advance(timedelta(hours=2))
    assert balloting.run_due() == 0
    assert db.session.scalar(select(func.count()).select_from(Mailing)) == 0


def test_a_selection_whose_ballot_is_cancelled_ends_there(app, group, officer, members, smtp_sink):  # type: ignore[no-untyped-def]
    """After the close the selection itself cannot be cancelled, but its ballot can: then the
    selection says it is over (not "ballot" and then "done" for ever), takes no more questions
    and mails its electorate nothing more, the mailing log saying why."""
    selection = make_selection(group, officer, places=1, seconders_needed=0)
    path = f"/selections/{selection.id}"
    for member in members[:3]:
        ops.nominate(selection, member, member.id)
    db.session.commit()
    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    db.session.refresh(selection)
    assert selection.outcome == "ballot" and ops.phase(selection) == "hustings"
    ballot = db.session.get(Ballot, selection.ballot_id)
    desk = Site(app, officer.email)
    reason = "The council election is postponed."
    cancelled = desk.post(f"/ballots/{ballot.id}/cancel", {"reason": reason})
    assert cancelled.status_code == 302
    db.session.refresh(selection)
    assert ops.called_off(selection) and ops.phase(selection) == "cancelled"

    seen = Site(app, members[3].email).get(path).get_data(as_text=True)
    assert 'id="cancelled"' in seen and "cancelled its ballot" in seen
    assert "Arrange a hustings meeting" not in desk.get(path).get_data(as_text=True)
    listed = desk.get("/selections").get_data(as_text=True)
    assert ">cancelled<" in listed and ">hustings<" not in listed
    with pytest.raises(Conflict):
        hustings.ask(selection, members[3], "Will you stand again?")

    mailed = len(smtp_sink.messages)
    clock.advance(5 * DAY)
    balloting.run_due()
    assert len(smtp_sink.messages) == mailed  # no answers mail, nor any other
    outcomes = {
        row.step: row.outcome
        for row in db.session.scalars(select(Mailing).where(Mailing.selection_id == selection.id))
    }
    assert outcomes["answers"] == "not sent: the selection's ballot was cancelled"
    db.session.refresh(selection)
    assert ops.phase(selection) == "cancelled"  # not "done" once the ballot's dates pass
