"""Voting on the web: each method's form, receipts, and every bad input refused with nothing stored."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot, option_ids, ranked_form


def _counts():  # type: ignore[no-untyped-def]
    from node.ballots.models import CastBallot, Participation

    return (
        db.session.scalar(select(func.count()).select_from(Participation)),
        db.session.scalar(select(func.count()).select_from(CastBallot)),
    )


@pytest.fixture
def voter(client, group, make_member):  # type: ignore[no-untyped-def]
    member = make_member(group, email="voter@walton.example.org")
    client.sign_in(member.email)
    return member


def _vote(client, ballot, data):  # type: ignore[no-untyped-def]
    return client.post_form(f"/ballots/{ballot.id}/vote", data, page=f"/ballots/{ballot.id}")


def test_ranked_vote_gives_a_receipt_and_stores_an_anonymous_paper(client, group, officer, voter):
    from node.ballots.models import CastBallot, Participation

    ballot = make_ballot(group, officer, open_it=True)
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert page.count('<select name="rank-') == 3  # numbered selects: no JavaScript needed

    response = _vote(client, ballot, ranked_form(ballot, "Cat", "Ann"))
    assert response.status_code == 201
    body = response.get_data(as_text=True)
    code = re.search(r'id="receipt-code">([A-Z0-9-]+)<', body).group(1)
    assert "Cat &gt; Ann" in body
    paper = db.session.scalar(select(CastBallot))
    assert paper.ranking == [2, 0]
    assert paper.receipt_hash == hashlib.sha256(code.encode()).hexdigest()
    assert code not in str(paper.__dict__)  # only the hash is stored
    columns = set(CastBallot.__table__.columns.keys())
    assert columns == {
        "id",
        "group_id",
        "ballot_id",
        "ranking",
        "receipt_hash",
    }  # no voter, no time
    assert db.session.scalar(select(Participation)).member_id == voter.id
    assert response.headers["Cache-Control"] == "no-store"

    # A second vote is refused and nothing changes.
    again = _vote(client, ballot, ranked_form(ballot, "Ann"))
    assert again.status_code == 409 and "already voted" in again.get_data(as_text=True)
    assert _counts() == (1, 1)
    assert "You voted on" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)


@pytest.mark.parametrize(
    ("make_data", "status", "message"),
    [
        (lambda b, ids: {"rank-999999": "1"}, 400, "not on this ballot"),
        (
            lambda b, ids: {f"rank-{ids['Ann']}": "1", f"rank-{ids['Bob']}": "1"},
            400,
            "two candidates the number 1",
        ),
        (lambda b, ids: {f"rank-{ids['Ann']}": "1", f"rank-{ids['Bob']}": "3"}, 400, "skip 2"),
        (lambda b, ids: {f"rank-{ids['Ann']}": "0"}, 400, "numbers from 1 to 3"),
        (lambda b, ids: {f"rank-{ids['Ann']}": "x"}, 400, "numbers from 1 to 3"),
        (lambda b, ids: {f"rank-{ids['Ann']}": ""}, 400, "at least one"),
    ],
    ids=["unknown-candidate", "duplicate-ranking", "gap", "zero", "not-a-number", "blank"],
)
def test_bad_ranked_votes_are_refused(client, group, officer, voter, make_data, status, message):
    ballot = make_ballot(group, officer, open_it=True)
    response = _vote(client, ballot, make_data(ballot, option_ids(ballot)))
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_vote_after_close_is_refused(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    with clock.frozen(ballot.closes_at + timedelta(seconds=1)):
        response = _vote(client, ballot, ranked_form(ballot, "Ann"))
    assert response.status_code == 409
    assert "closed" in response.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_vote_exactly_at_close_is_refused_even_before_the_scheduler_runs(
    group, officer, make_member
):
    from node.ballots.voting import cast_vote
    from node.errors import Conflict

    member = make_member(group)
    ballot = make_ballot(group, officer, open_it=True)
    with clock.frozen(ballot.closes_at), pytest.raises(Conflict):
        cast_vote(ballot, member, [0])


def test_vote_by_a_non_elector_is_refused(client, group, officer, make_member):
    ballot = make_ballot(group, officer, open_it=True)
    latecomer = make_member(group, email="late@walton.example.org")  # joined after it opened
    client.sign_in(latecomer.email)
    assert "not on this ballot" in client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    response = _vote(client, ballot, ranked_form(ballot, "Ann"))
    assert response.status_code == 403
    assert "not on this ballot's electorate" in response.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_vote_on_a_draft_or_another_groups_ballot_is_not_found(
    client, group, officer, voter, make_group, make_member
):
    draft = make_ballot(group, officer)
    assert _vote(client, draft, ranked_form(draft, "Ann")).status_code == 404
    other = make_group("Bootle", slug="bootle")
    foreign = make_ballot(other, make_member(other, "officer"), open_it=True)
    token = client.csrf_token("/ballots")
    response = client.post(f"/ballots/{foreign.id}/vote", data={"csrf_token": token, "rank-1": "1"})
    assert response.status_code == 404
    assert _counts() == (0, 0)


def test_fptp_approval_and_motion_forms(client, group, officer, voter):
    from node.ballots.models import CastBallot

    fptp = make_ballot(group, officer, open_it=True, method="fptp")
    approval = make_ballot(group, officer, open_it=True, method="approval", seats=2)
    motion = make_ballot(group, officer, open_it=True, kind="motion", method="motion", options=[])

    assert _vote(client, fptp, {"choice": "424242"}).status_code == 400
    assert _vote(client, fptp, {"choice": str(option_ids(fptp)["Bob"])}).status_code == 201
    ids = option_ids(approval)
    assert _vote(client, approval, {"approve": [str(ids["Ann"]), "424242"]}).status_code == 400
    assert (
        _vote(client, approval, {"approve": [str(ids["Cat"]), str(ids["Ann"])]}).status_code == 201
    )
    assert _vote(client, motion, {"choice": "maybe"}).status_code == 400
    assert _vote(client, motion, {"choice": "abstain"}).status_code == 201
    papers = {p.ballot_id: p.ranking for p in db.session.scalars(select(CastBallot))}
    assert papers == {fptp.id: [1], approval.id: [0, 2], motion.id: [2]}


def test_csrf_is_required(client, group, officer, voter, app):
    ballot = make_ballot(group, officer, open_it=True)
    response = client.post(f"/ballots/{ballot.id}/vote", data=ranked_form(ballot, "Ann"))
    assert response.status_code == 400
    assert _counts() == (0, 0)
