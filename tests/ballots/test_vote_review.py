"""The review step: a posted ballot paper is first shown back ("Check your vote") with the
choices in plain words and the receipt code, stored nowhere; "Change my vote" returns the paper
with the choices kept, "Cast my vote" casts exactly once. The same through a voting link and a
printed voting code, which the review keeps."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from node.extensions import db
from tests.ballots.helpers import make_ballot, option_ids, ranked_form
from tests.ballots.test_receipts import LINK, counts, offered, paper_form, receipt

CHOICES = re.compile(r'id="review-choices">(.*?)</[ou]l>', re.S)
SLIP = re.compile(r'class="receipt slip-code">([A-Z0-9-]+)<')


@pytest.fixture
def voter(client, group, make_member):  # type: ignore[no-untyped-def]
    member = make_member(group, email="voter@walton.example.org")
    client.sign_in(member.email)
    return member


def _choices(html: str) -> list[str]:
    match = CHOICES.search(html)
    assert match, "the page shows no review"
    return [re.sub(r"<[^>]+>", "", item).strip() for item in match.group(1).split("</li>")[:-1]]


def _review(client, ballot, choices: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Press "Check my vote" on the signed-in paper with ``choices``."""
    page = client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    form = {**paper_form(page, choices), "step": "review"}
    return page, client.post(f"/ballots/{ballot.id}/vote", data=form)


def test_the_review_shows_the_choices_in_order_and_the_code_and_stores_nothing(
    client, group, officer, voter
):
    ballot = make_ballot(group, officer, open_it=True)
    page, review = _review(client, ballot, ranked_form(ballot, "Cat", "Ann"))
    body = review.get_data(as_text=True)
    assert review.status_code == 200 and review.headers["Cache-Control"] == "no-store"
    assert "Check your vote" in body and "not been cast yet" in body
    assert _choices(body) == ["1 Cat", "2 Ann"]
    assert offered(body) == offered(page)  # the code the voter may have written down
    assert counts() == (0, 0)

    cast = client.post(
        f"/ballots/{ballot.id}/vote", data={**paper_form(body, {}), "confirm": "yes"}
    )
    assert cast.status_code == 201
    assert receipt(cast.get_data(as_text=True)) == offered(page)
    assert counts() == (1, 1)
    from node.ballots.models import CastBallot

    assert db.session.scalar(select(CastBallot.ranking)) == [2, 0]

    # The cast page reloaded (the same form again): the same receipt, nothing new stored.
    again = client.post(
        f"/ballots/{ballot.id}/vote", data={**paper_form(body, {}), "confirm": "yes"}
    )
    assert again.status_code == 200 and receipt(again.get_data(as_text=True)) == offered(page)
    # The review page reloaded after the cast: the receipt too, not a second review.
    reloaded = client.post(
        f"/ballots/{ballot.id}/vote",
        data={**paper_form(page, ranked_form(ballot, "Cat", "Ann")), "step": "review"},
    )
    assert reloaded.status_code == 200 and "already recorded" in reloaded.get_data(as_text=True)
    assert counts() == (1, 1)


def test_change_returns_the_paper_with_the_choices_kept(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    ids = option_ids(ballot)
    page, review = _review(client, ballot, ranked_form(ballot, "Bob", "Cat"))
    back = client.post(
        f"/ballots/{ballot.id}/vote",
        data={**paper_form(review.get_data(as_text=True), {}), "step": "change"},
    )
    body = back.get_data(as_text=True)
    assert back.status_code == 200 and "Check my vote" in body
    assert re.search(rf'name="rank-{ids["Bob"]}".*?<option value="1" selected>', body, re.S)
    assert re.search(rf'name="rank-{ids["Cat"]}".*?<option value="2" selected>', body, re.S)
    assert offered(body) == offered(page)
    assert counts() == (0, 0)


def test_an_approval_paper_keeps_its_ticks_and_names_them(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True, method="approval")
    ids = option_ids(ballot)
    _, review = _review(client, ballot, {"approve": [str(ids["Ann"]), str(ids["Cat"])]})
    body = review.get_data(as_text=True)
    assert _choices(body) == ["Ann", "Cat"]
    hidden = [
        (name, value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', body)
    ]
    assert [v for n, v in hidden if n == "approve"] == [str(ids["Ann"]), str(ids["Cat"])]
    back = client.post(
        f"/ballots/{ballot.id}/vote", data=MultiDict([*hidden, ("step", "change")])
    ).get_data(as_text=True)
    assert back.count("checked") == 2
    assert counts() == (0, 0)


def test_a_motion_review_says_the_choice_in_words(client, group, officer, voter):
    ballot = make_ballot(
        group, officer, open_it=True, kind="motion", method="motion", options=[], seats=1
    )
    _, review = _review(client, ballot, {"choice": "no"})
    assert review.status_code == 200, review.get_data(as_text=True)
    assert _choices(review.get_data(as_text=True)) == ["No"]


def test_an_invalid_ranking_is_refused_before_the_review(client, group, officer, voter):
    ballot = make_ballot(group, officer, open_it=True)
    ids = option_ids(ballot)
    choices = {**ranked_form(ballot, "Ann"), f"rank-{ids['Bob']}": "3"}  # skips 2
    page, refused = _review(client, ballot, choices)
    body = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "skip 2" in body
    assert "Check your vote" not in body and "Check my vote" in body  # the paper, again
    assert offered(body) == offered(page)
    assert counts() == (0, 0)


def test_a_voting_link_goes_through_the_review_and_keeps_the_link(
    client, group, officer, make_member, smtp_sink
):
    from node.ballots.models import Participation

    elector = make_member(group, email="linked@walton.example.org")
    ballot = make_ballot(group, officer, open_it=True)
    (path,) = {
        m
        for _, message in smtp_sink.messages
        for m in LINK.findall(smtp_sink.body(message))
        if elector.email in str(message["To"])
    }
    voter = client.application.test_client()
    page = voter.get(path).get_data(as_text=True)
    review = voter.post(
        path, data={**paper_form(page, ranked_form(ballot, "Bob")), "step": "review"}
    )
    body = review.get_data(as_text=True)
    assert review.status_code == 200 and review.headers["Referrer-Policy"] == "no-referrer"
    assert _choices(body) == ["1 Bob"] and f'action="{path}"' in body
    assert counts() == (0, 0)
    assert voter.get(path).status_code == 200  # the link is not used up by the review
    cast = voter.post(path, data={**paper_form(body, {}), "confirm": "yes"})
    assert cast.status_code == 201
    assert db.session.scalar(select(Participation.method)) == "link"
    assert counts() == (1, 1)


def test_a_printed_code_is_kept_through_the_review(client, group, officer, make_member):
    from node.ballots.models import Participation

    elector = make_member(group, email=None)
    ballot = make_ballot(group, officer, open_it=True)
    client.sign_in(officer.email)
    slips = client.post_form(
        f"/ballots/{ballot.id}/codes",
        {"member": [str(elector.id)]},
        page=f"/ballots/{ballot.id}/turnout",
    ).get_data(as_text=True)
    (code,) = SLIP.findall(slips)
    voter = client.application.test_client()
    page = voter.post_form("/vote", {"code": code}).get_data(as_text=True)
    review = voter.post(
        "/vote", data={**paper_form(page, ranked_form(ballot, "Cat")), "step": "review"}
    )
    body = review.get_data(as_text=True)
    assert review.status_code == 200 and _choices(body) == ["1 Cat"], body[:2000]
    assert counts() == (0, 0)
    cast = voter.post("/vote", data={**paper_form(body, {}), "confirm": "yes"})
    assert cast.status_code == 201
    assert db.session.scalar(select(Participation.method)) == "code"
    assert counts() == (1, 1)
