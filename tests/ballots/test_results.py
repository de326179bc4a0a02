"""Closing and results: the count, the published papers and BLT, recount by the CLI, decisions."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot


def _vote_all(ballot, members, rankings):  # type: ignore[no-untyped-def]
    from node.ballots.voting import cast_vote

    receipts = [cast_vote(ballot, m, r) for m, r in zip(members, rankings, strict=True)]
    db.session.commit()
    return receipts


def _close(ballot):  # type: ignore[no-untyped-def]
    from node.ballots.scheduling import run_due

    with clock.frozen(ballot.closes_at):
        assert run_due() >= 1
    db.session.refresh(ballot)
    assert ballot.state == "closed"


@pytest.fixture
def voters(group, make_member):  # type: ignore[no-untyped-def]
    return [make_member(group) for _ in range(5)]


def test_stv_result_page_papers_blt_and_recount(
    officer_client, runner, group, officer, voters, tmp_path
):
    ballot = make_ballot(
        group,
        officer,
        open_it=True,
        method="scottish-stv",
        seats=2,
        options=["Ann", "Bob", "Cat", "Dee"],
    )
    rankings = [[0, 1], [0, 2], [0, 1], [2, 3], [3, 2]]
    receipts = _vote_all(ballot, voters, rankings)
    _close(ballot)

    page = officer_client.get(f"/ballots/{ballot.id}/result")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Not yet published" in html
    elected = ballot.result["elected"]
    assert len(elected) == 2 and elected[0] == "Ann"
    assert "<svg" in html and 'id="rounds"' in html and 'id="turnout">5<' in html

    blt = officer_client.get(f"/ballots/{ballot.id}/ballots.blt").get_data()
    path = tmp_path / "ballot.blt"
    path.write_bytes(blt)
    out = runner.invoke(
        args=["tally", str(path), "--method", "scottish-stv", "--seed", str(ballot.seed), "--json"]
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["elected"] == elected
    export = officer_client.get(f"/ballots/{ballot.id}/result.json").get_json()
    assert export["elected"] == elected and export["rounds"] == json.loads(out.output)["rounds"]

    from node.ballots.operations import b64url_sha256

    assert export["ballots_hash"] == b64url_sha256(blt)

    # Each voter finds their paper, unchanged, by the hash of their receipt.
    papers = officer_client.get(f"/ballots/{ballot.id}/papers.csv").get_data(as_text=True)
    names = ["Ann", "Bob", "Cat", "Dee"]
    for receipt, ranking in zip(receipts, rankings, strict=True):
        assert f"{receipt.hash}," + " > ".join(names[i] for i in ranking) in papers


def test_members_see_results_only_once_published_and_a_passed_endorsement_is_a_decision(
    client, officer_client, group, officer, voters
):
    from node.ballots import operations as ops

    ballot = make_ballot(group, officer, open_it=True, kind="endorsement", quorum=3)
    _vote_all(ballot, voters[:3], [[0], [0, 1], [1]])
    _close(ballot)
    member = client.application.test_client()
    member.sign_in(voters[0].email)
    assert member.get(f"/ballots/{ballot.id}/result").status_code == 404
    assert member.get(f"/ballots/{ballot.id}/ballots.blt").status_code == 404
    response = officer_client.post_form(
        f"/ballots/{ballot.id}/publish", page=f"/ballots/{ballot.id}/result"
    )
    assert response.status_code == 302
    db.session.refresh(ballot)
    assert ballot.state == "published" and ballot.decision_ready
    html = member.get(f"/ballots/{ballot.id}/result").get_data(as_text=True)
    assert "Ann" in html and 'id="quorum">met<' in html
    summary = ops.decision_summary(ballot)
    assert summary["elected"] == ["Ann"] and summary["turnout"] == 3
    assert summary["electorate"] == 6 and summary["kind"] == "endorsement"
    assert summary["ballots_hash"] == ballot.ballots_hash and "=" not in summary["ballots_hash"]
    # Publishing twice is refused.
    published_at = ballot.published_at
    again = officer_client.post_form(f"/ballots/{ballot.id}/publish", page="/ballots")
    assert again.status_code == 303
    db.session.refresh(ballot)
    assert ballot.published_at == published_at


def test_quorum_not_met_is_not_a_decision(group, officer, voters):
    from node.ballots import operations as ops

    ballot = make_ballot(group, officer, open_it=True, quorum_percent=50)
    _vote_all(ballot, voters[:2], [[0], [1]])
    _close(ballot)
    assert ballot.result["quorum_required"] == 3 and not ballot.result["quorum_met"]
    ops.publish_result(ballot, officer)
    assert not ballot.decision_ready


def test_motion_two_thirds_with_abstentions(officer_client, group, officer, voters):
    ballot = make_ballot(
        group,
        officer,
        open_it=True,
        kind="motion",
        method="motion",
        options=[],
        threshold="two-thirds",
        quorum=4,
    )
    _vote_all(ballot, voters[:4], [[0], [0], [1], [2]])
    _close(ballot)
    result = ballot.result
    assert (result["yes"], result["no"], result["abstain"]) == (2, 1, 1)
    assert result["quorum_met"] and result["passed"]  # 2 of 3 is two thirds; abstention for quorum
    html = officer_client.get(f"/ballots/{ballot.id}/result").get_data(as_text=True)
    assert 'id="outcome">The motion passed<' in html


def test_closing_rewrites_papers_under_fresh_keys(group, officer, voters):
    from node.ballots.models import CastBallot

    ballot = make_ballot(group, officer, open_it=True)
    _vote_all(ballot, voters, [[0], [1], [2], [0, 1], [1, 0]])
    before = {p.id: p.receipt_hash for p in db.session.scalars(select(CastBallot))}
    _close(ballot)
    after = {p.id: p.receipt_hash for p in db.session.scalars(select(CastBallot))}
    assert set(before.values()) == set(after.values())
    assert not set(before) & set(after)


def test_the_blt_reveals_no_voting_order(group, officer, voters):
    ballot = make_ballot(group, officer, open_it=True)
    _vote_all(ballot, voters, [[2], [0], [1, 0], [0], [2, 1]])
    _close(ballot)
    lines = ballot.blt.splitlines()
    assert lines[1:5] == ["2 1 0", "1 2 1 0", "1 3 0", "1 3 2 0"]  # grouped and sorted


def test_no_votes_elects_nobody(officer_client, group, officer):
    ballot = make_ballot(group, officer, open_it=True)
    with clock.frozen(ballot.closes_at + timedelta(hours=1)):
        assert officer_client.get("/ballots").status_code == 200  # the lazy trigger closes it
    db.session.refresh(ballot)
    assert ballot.state == "closed" and ballot.result["elected"] == [] and ballot.turnout == 0
