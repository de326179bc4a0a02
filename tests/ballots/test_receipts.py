"""Receipts that survive a lost reply: the ballot paper shows its receipt code before the vote,
the code travels in the form with the server's check, and the same form sent again is answered
with the same receipt (200), never a second vote. Forged, altered or borrowed codes are refused
with nothing stored. Every test submits the paper exactly as a browser would: all its fields."""

from __future__ import annotations

import hashlib
import re
from html import unescape as html_unescape
from typing import Any

import pytest
from sqlalchemy import func, select

from node.extensions import db
from tests.ballots.helpers import make_ballot, ranked_form

OFFERED = re.compile(r'id="offered-receipt">([A-Z0-9-]+)<')
RECEIPT = re.compile(r'id="receipt-code">([A-Z0-9-]+)<')
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'(\w+)="([^"]*)"')
LINK = re.compile(r"http://localhost(/vote/[A-Za-z0-9_-]+)")
SLIP = re.compile(r'class="receipt slip-code">([A-Z0-9-]+)<')


def paper_form(html: str, choices: dict[str, str]) -> dict[str, str]:
    """The hidden fields of the ballot paper on ``html`` (CSRF token, receipt code and its
    check…) plus the voter's ``choices``: what pressing "Cast my vote" sends."""
    fields = [dict(ATTRIBUTE.findall(tag)) for tag in INPUT.findall(html)]
    hidden = {
        f["name"]: html_unescape(f.get("value", "")) for f in fields if f.get("type") == "hidden"
    }
    return {**hidden, **choices}


def offered(html: str) -> str:
    match = OFFERED.search(html)
    assert match, "the ballot paper shows no receipt code"
    return match.group(1)


def receipt(html: str) -> str:
    match = RECEIPT.search(html)
    assert match, "the page shows no receipt"
    return match.group(1)


def counts() -> tuple[int, int]:
    from node.ballots.models import CastBallot, Participation

    return (
        db.session.scalar(select(func.count()).select_from(Participation)) or 0,
        db.session.scalar(select(func.count()).select_from(CastBallot)) or 0,
    )


def everything_stored() -> str:
    """Every row of every table, as text: where a leaked receipt code would show up."""
    rows = [db.session.execute(select(t)).all() for t in db.metadata.sorted_tables]
    return repr(rows)


@pytest.fixture
def voter(client, group, make_member):  # type: ignore[no-untyped-def]
    member = make_member(group, email="voter@walton.example.org")
    client.sign_in(member.email)
    return member


def _page(client, ballot) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/ballots/{ballot.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _post(client, ballot, form: dict[str, Any]):  # type: ignore[no-untyped-def]
    return client.post(f"/ballots/{ballot.id}/vote", data=form)


def test_the_code_is_shown_before_the_vote_and_a_repeat_gets_the_same_receipt(
    client, group, officer, voter
):
    from node.ballots.models import CastBallot

    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    code = offered(page)
    assert "Write this down: it will identify your paper in the published list" in page
    form = paper_form(page, ranked_form(ballot, "Cat", "Ann"))

    first = _post(client, ballot, form)
    assert first.status_code == 201
    assert receipt(first.get_data(as_text=True)) == code
    digest = hashlib.sha256(code.encode()).hexdigest()
    assert db.session.scalar(select(CastBallot.receipt_hash)) == digest

    # The reply was lost (or the phone reloaded the page, which re-posts the form).
    again = _post(client, ballot, form)
    body = again.get_data(as_text=True)
    assert again.status_code == 200
    assert "already recorded" in body and "counted once" in body
    assert receipt(body) == code and digest in body and "Cat &gt; Ann" in body
    assert again.headers["Cache-Control"] == "no-store"
    assert counts() == (1, 1)

    # Secrecy is unchanged: the code itself is stored nowhere, only its hash on the paper.
    assert code not in everything_stored()


def test_a_repeat_with_other_choices_still_gets_the_stored_paper(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    assert _post(client, ballot, paper_form(page, ranked_form(ballot, "Bob"))).status_code == 201
    changed = _post(client, ballot, paper_form(page, ranked_form(ballot, "Ann")))
    assert changed.status_code == 200
    assert "Bob" in changed.get_data(as_text=True).split('id="receipt-choices">')[1][:40]
    assert counts() == (1, 1)


def test_another_paper_of_a_member_who_voted_is_refused_as_before(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    first_tab, second_tab = _page(client, ballot), _page(client, ballot)
    assert offered(first_tab) != offered(second_tab)  # each paper gets its own code
    assert (
        _post(client, ballot, paper_form(first_tab, ranked_form(ballot, "Ann"))).status_code == 201
    )
    refused = _post(client, ballot, paper_form(second_tab, ranked_form(ballot, "Bob")))
    assert refused.status_code == 409
    assert "already voted" in refused.get_data(as_text=True)
    assert offered(second_tab) not in refused.get_data(as_text=True)
    assert counts() == (1, 1)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda f: {**f, "receipt": "AAAA-BBBB-CCCC-DDDD"},  # a code of the voter's choosing
        lambda f: {**f, "receipt": f["receipt"].lower()},
        lambda f: {**f, "receipt_check": "0" * 64},
        lambda f: {k: v for k, v in f.items() if k != "receipt_check"},
        lambda f: {**f, "receipt": f["receipt"] + "-X"},
        lambda f: {**f, "receipt_check": "é" * 64},
    ],
    ids=["chosen-code", "case-changed", "forged-check", "no-check", "too-long", "not-ascii"],
)
def test_an_altered_code_is_refused_and_nothing_stored(client, group, officer, voter, tamper):
    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    response = _post(client, ballot, tamper(paper_form(page, ranked_form(ballot, "Ann"))))
    body = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "was changed or belongs to another paper, so your vote was not stored" in body
    assert offered(body) != offered(page)  # a fresh paper to vote on
    assert counts() == (0, 0)


def test_a_paper_shown_again_after_a_mistake_keeps_its_code(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    mistake = _post(client, ballot, paper_form(page, {}))
    assert mistake.status_code == 400 and offered(mistake.get_data(as_text=True)) == offered(page)
    assert counts() == (0, 0)


def test_a_code_is_good_for_one_ballot_only(client, group, officer, voter):
    first = make_ballot(group, officer, open_it=True)
    second = make_ballot(group, officer, open_it=True, title="Treasurer")
    form = paper_form(_page(client, first), ranked_form(second, "Ann"))
    response = _post(client, second, form)
    assert response.status_code == 400 and counts() == (0, 0)


def test_another_member_cannot_use_or_recover_someone_elses_receipt(
    client, group, officer, voter, make_member
):
    other = make_member(group, email="other@walton.example.org")
    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    form = paper_form(page, ranked_form(ballot, "Ann"))
    assert _post(client, ballot, form).status_code == 201

    snoop = client.application.test_client()
    snoop.sign_in(other.email)
    own_page = _page(snoop, ballot)  # for a CSRF token of the snoop's own session
    borrowed = {**form, "csrf_token": paper_form(own_page, {})["csrf_token"]}
    response = _post(snoop, ballot, borrowed)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and offered(page) not in body
    assert counts() == (1, 1)

    # Having voted does not help either: the check is bound to the member it was shown to.
    assert _post(snoop, ballot, paper_form(own_page, ranked_form(ballot, "Bob"))).status_code == 201
    again = _post(snoop, ballot, borrowed)
    assert again.status_code == 400 and offered(page) not in again.get_data(as_text=True)
    assert counts() == (2, 2)


def test_a_form_without_a_code_still_votes_with_a_fresh_one(client, group, officer, voter):
    """A paper rendered before receipts were offered in advance: voting works, repeats do not."""
    ballot = make_ballot(group, officer, open_it=True)
    page = _page(client, ballot)
    form = {
        k: v
        for k, v in paper_form(page, ranked_form(ballot, "Ann")).items()
        if k not in ("receipt", "receipt_check")
    }
    response = _post(client, ballot, form)
    assert response.status_code == 201 and receipt(response.get_data(as_text=True)) != offered(page)
    assert _post(client, ballot, form).status_code == 409
    assert counts() == (1, 1)


def test_a_simultaneous_twin_is_answered_with_the_winners_receipt(
    app, group, officer, make_member, monkeypatch
):
    """Two copies of one form racing: the loser's batch finds the winner's participation, so the
    loser is refused and then finds the winner's paper. The race is staged by storing the
    winner first and hiding it from the loser's first look."""
    from node.ballots import voting

    member = make_member(group)
    ballot = make_ballot(group, officer, open_it=True)
    with app.test_request_context():
        paper = voting.offer_receipt(ballot, member)
        form = {**paper.fields, **ranked_form(ballot, "Ann")}
        winner = voting.submit_vote(ballot, member, form, [])
        db.session.commit()
        real = voting.recorded
        looks: list[str] = []

        def late(ballot, member, code, voted=None):  # type: ignore[no-untyped-def]
            looks.append(code)
            return None if len(looks) == 1 else real(ballot, member, code, voted)

        monkeypatch.setattr(voting, "recorded", late)  # the loser's first look sees no vote
        loser = voting.submit_vote(ballot, member, form, [])
    assert not winner.repeated and loser.repeated
    assert loser.receipt == winner.receipt and len(looks) == 2
    assert counts() == (1, 1)


# ----------------------------------------------------------------------------- links and codes
@pytest.fixture
def electors(group, make_member):  # type: ignore[no-untyped-def]
    people = [
        make_member(group, email=f"elector{i}@walton.example.org", account=False) for i in range(2)
    ]
    people[1].email = None
    db.session.commit()
    return people


def test_a_voting_link_repeat_gets_the_same_receipt(client, group, officer, electors, smtp_sink):
    ballot = make_ballot(group, officer, open_it=True)
    (path,) = [p for m in smtp_sink.to(electors[0].email) for p in LINK.findall(smtp_sink.body(m))]
    first_tab = client.get(path).get_data(as_text=True)
    second_tab = client.get(path).get_data(as_text=True)
    code = offered(first_tab)
    form = paper_form(first_tab, ranked_form(ballot, "Bob"))

    assert receipt(client.post(path, data=form).get_data(as_text=True)) == code
    again = client.post(path, data=form)
    assert again.status_code == 200 and receipt(again.get_data(as_text=True)) == code
    assert again.headers["Referrer-Policy"] == "no-referrer"
    # The link itself is used up, and another paper of it is refused as before.
    assert client.get(path).status_code == 409
    other = client.post(path, data=paper_form(second_tab, ranked_form(ballot, "Cat")))
    assert other.status_code == 409 and "already been used" in other.get_data(as_text=True)
    altered = client.post(path, data={**form, "receipt": "AAAA-BBBB-CCCC-DDDD"})
    assert altered.status_code == 409 and code not in altered.get_data(as_text=True)
    assert counts() == (1, 1)


def test_an_altered_code_on_a_link_paper_is_refused(client, group, officer, electors, smtp_sink):
    ballot = make_ballot(group, officer, open_it=True)
    (path,) = [p for m in smtp_sink.to(electors[0].email) for p in LINK.findall(smtp_sink.body(m))]
    form = paper_form(client.get(path).get_data(as_text=True), ranked_form(ballot, "Bob"))
    response = client.post(path, data={**form, "receipt_check": "1" * 64})
    assert response.status_code == 400 and "not stored" in response.get_data(as_text=True)
    assert counts() == (0, 0)
    assert client.post(path, data=form).status_code == 201  # the link still works


def test_a_printed_code_repeat_gets_the_same_receipt(client, group, officer, electors):
    ballot = make_ballot(group, officer, open_it=True)
    client.sign_in(officer.email)
    slips = client.post_form(
        f"/ballots/{ballot.id}/codes",
        {"member": [str(electors[1].id)]},
        page=f"/ballots/{ballot.id}/turnout",
    )
    (slip,) = SLIP.findall(slips.get_data(as_text=True))
    voter = client.application.test_client()
    paper = voter.post_form("/vote", {"code": slip}).get_data(as_text=True)
    code = offered(paper)
    form = paper_form(paper, ranked_form(ballot, "Cat"))
    assert form["cast"] == "1"

    first = voter.post("/vote", data=form)
    assert first.status_code == 201 and receipt(first.get_data(as_text=True)) == code
    again = voter.post("/vote", data=form)
    assert again.status_code == 200 and receipt(again.get_data(as_text=True)) == code
    # Typing the used code again (step 1, no paper) is refused as before.
    assert voter.post_form("/vote", {"code": slip}).status_code == 409
    assert counts() == (1, 1)
