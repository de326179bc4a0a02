"""Voting without an account: personal voting links (``/vote/<token>``) mailed when a ballot
opens, printed voting codes entered at ``/vote``, the officers' turnout page, and secrecy.
Links are read from the real SMTP sink, as a member would read them."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot, ranked_form

LINK = re.compile(r"http://localhost(/vote/[A-Za-z0-9_-]+)")
CODE = re.compile(r'class="receipt slip-code">([A-Z0-9-]+)<')


def _links(smtp_sink, address: str) -> list[str]:
    return [p for m in smtp_sink.to(address) for p in LINK.findall(smtp_sink.body(m))]


def _counts():  # type: ignore[no-untyped-def]
    from node.ballots.models import CastBallot, Participation

    return (
        db.session.scalar(select(func.count()).select_from(Participation)),
        db.session.scalar(select(func.count()).select_from(CastBallot)),
    )


@pytest.fixture
def electors(group, make_member):  # type: ignore[no-untyped-def]
    """Three electors without accounts (as imported from a CSV), one of them without e-mail."""
    people = [
        make_member(
            group, email=f"elector{i}@walton.example.org", name=f"Elector {i}", account=False
        )
        for i in range(3)
    ]
    people[2].email = None
    db.session.commit()
    return people


def test_opening_mails_exactly_one_link_per_elector_with_an_address(
    app, group, officer, electors, smtp_sink
):
    from node.ballots.models import VotingCredential

    ballot = make_ballot(group, officer, open_it=True)
    for person in (officer, *electors[:2]):
        mails = smtp_sink.to(person.email)
        assert len(mails) == 1
        assert len(_links(smtp_sink, person.email)) == 1
        assert "sign in first" not in smtp_sink.body(mails[0])
    assert len(set(LINK.findall(" ".join(smtp_sink.body(m) for _, m in smtp_sink.messages)))) == 3
    stored = db.session.scalars(select(VotingCredential)).all()
    assert len(stored) == 3 and {c.ballot_id for c in stored} == {ballot.id}
    token = _links(smtp_sink, electors[0].email)[0].rsplit("/", 1)[1]
    assert len(token) >= 43  # 256 bits
    assert token not in str([c.__dict__ for c in stored])  # only the hash is stored
    assert hashlib.sha256(token.encode()).hexdigest() in {c.token_hash for c in stored}


def test_a_link_votes_without_an_account_once_and_says_so_on_reuse(
    client, group, officer, electors, smtp_sink
):
    from node.ballots.models import CastBallot, Participation

    ballot = make_ballot(group, officer, open_it=True)
    path = _links(smtp_sink, electors[0].email)[0]
    page = client.get(path)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert page.get_data(as_text=True).count('<select name="rank-') == 3
    response = client.post_form(path, ranked_form(ballot, "Bob", "Cat"))
    assert response.status_code == 201
    assert "Bob &gt; Cat" in response.get_data(as_text=True)
    assert db.session.scalar(select(Participation.method)) == "link"
    assert db.session.scalar(select(Participation.member_id)) == electors[0].id
    assert db.session.scalar(select(CastBallot.ranking)) == [1, 2]

    again = client.get(path)
    assert again.status_code == 409
    assert "This voting link has already been used to vote" in again.get_data(as_text=True)
    token = client.csrf_token("/vote")  # the page itself no longer offers a form
    resubmit = client.post(path, data={**ranked_form(ballot, "Ann"), "csrf_token": token})
    assert resubmit.status_code == 409
    assert _counts() == (1, 1)


def test_the_paper_carries_nothing_of_the_link(client, group, officer, electors, smtp_sink):
    from node.ballots.models import CastBallot, VotingCredential

    ballot = make_ballot(group, officer, open_it=True)
    path = _links(smtp_sink, electors[0].email)[0]
    client.post_form(path, ranked_form(ballot, "Ann"))
    paper = db.session.scalar(select(CastBallot))
    credential = db.session.scalar(
        select(VotingCredential).where(VotingCredential.used_at.is_not(None))
    )
    assert set(CastBallot.__table__.columns.keys()) == {
        "id",
        "group_id",
        "ballot_id",
        "ranking",
        "receipt_hash",
    }
    flat = str(paper.__dict__)
    assert credential.token_hash not in flat and path.rsplit("/", 1)[1] not in flat


def test_a_signed_in_vote_uses_up_the_link(client, group, officer, electors, smtp_sink):
    from node.ballots.models import Participation

    ballot = make_ballot(group, officer, open_it=True)
    path = _links(smtp_sink, officer.email)[0]
    client.sign_in(officer.email)
    voted = client.post_form(
        f"/ballots/{ballot.id}/vote", ranked_form(ballot, "Ann"), page=f"/ballots/{ballot.id}"
    )
    assert voted.status_code == 201
    assert db.session.scalar(select(Participation.method)) == "signed_in"
    refused = client.get(path)
    assert refused.status_code == 409
    assert "already been used to vote" in refused.get_data(as_text=True)


def test_reissue_kills_the_old_link_and_mails_a_new_one(
    client, group, officer, electors, smtp_sink
):
    ballot = make_ballot(group, officer, open_it=True)
    old = _links(smtp_sink, electors[0].email)[0]
    client.sign_in(officer.email)
    turnout = client.get(f"/ballots/{ballot.id}/turnout").get_data(as_text=True)
    assert "Elector 0" in turnout and "Re-issue link to Elector 0" in turnout
    done = client.post_form(
        f"/ballots/{ballot.id}/turnout/{electors[0].id}/link",
        {},
        page=f"/ballots/{ballot.id}/turnout",
    )
    assert done.status_code == 303
    new = _links(smtp_sink, electors[0].email)
    assert len(new) == 2 and new[1] != old

    voter = client.application.test_client()
    dead = voter.get(old)
    assert dead.status_code == 410
    assert "This voting link has been replaced" in dead.get_data(as_text=True)
    assert voter.post_form(new[1], ranked_form(ballot, "Cat")).status_code == 201


def test_a_link_dies_when_the_ballot_closes(client, group, officer, electors, smtp_sink):
    ballot = make_ballot(group, officer, open_it=True)
    path = _links(smtp_sink, electors[1].email)[0]
    token = client.csrf_token(path)
    with clock.frozen(clock.now() + timedelta(days=4)):
        late = client.post(path, data={**ranked_form(ballot, "Ann"), "csrf_token": token})
        assert late.status_code == 410
        assert "closed" in late.get_data(as_text=True)
        db.session.refresh(ballot)
        assert ballot.state == "closed"  # closed on time by the lazy run (node.ballots.setup)
        again = client.get(path)
        assert again.status_code == 410 and "voting is over" in again.get_data(as_text=True)
    assert _counts() == (0, 0)


def test_reminders_carry_a_fresh_link_and_the_old_one_dies(
    client, group, officer, electors, smtp_sink
):
    from node.ballots import operations as ops

    ballot = make_ballot(group, officer, open_it=True)
    old = _links(smtp_sink, electors[0].email)[0]
    assert ops.send_reminders(ballot) == 3
    db.session.commit()
    links = _links(smtp_sink, electors[0].email)
    assert len(links) == 2
    assert client.get(old).status_code == 410
    assert client.get(links[1]).status_code == 200


def test_printed_codes_vote_once_and_reuse_is_refused(client, group, officer, electors, smtp_sink):
    from node.ballots.models import Participation, VotingCredential

    ballot = make_ballot(group, officer, open_it=True)
    no_email = electors[2]
    client.sign_in(officer.email)
    page = client.post_form(
        f"/ballots/{ballot.id}/codes",
        {"member": [str(no_email.id)]},
        page=f"/ballots/{ballot.id}/turnout",
    )
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "shown <strong>once only</strong>" in body and "Elector 2" in body
    (code,) = CODE.findall(body)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}(-[A-HJ-NP-Z2-9]{4}){3}", code)
    assert code not in str([c.__dict__ for c in db.session.scalars(select(VotingCredential))])

    voter = client.application.test_client()
    typed = code.lower().replace("-", " ")  # as someone types it
    paper = voter.post_form("/vote", {"code": typed})
    assert (
        paper.status_code == 200 and paper.get_data(as_text=True).count('<select name="rank-') == 3
    )
    token = voter.csrf_token("/vote")
    cast = voter.post(
        "/vote",
        data={"code": code, "cast": "1", "csrf_token": token, **ranked_form(ballot, "Cat", "Bob")},
    )
    assert cast.status_code == 201, cast.get_data(as_text=True)
    assert db.session.scalar(select(Participation.method)) == "code"
    assert db.session.scalar(select(Participation.member_id)) == no_email.id

    reused = voter.post_form("/vote", {"code": code})
    assert reused.status_code == 409
    assert "This voting code has already been used to vote" in reused.get_data(as_text=True)
    wrong = voter.post_form("/vote", {"code": "AAAA-BBBB-CCCC-DDDD"})
    assert wrong.status_code == 404 and "not valid" in wrong.get_data(as_text=True)
    assert _counts() == (1, 1)


def test_printing_codes_again_kills_the_old_codes(client, group, officer, electors):
    ballot = make_ballot(group, officer, open_it=True)
    client.sign_in(officer.email)
    turnout = f"/ballots/{ballot.id}/turnout"
    data = {"member": [str(electors[2].id)]}
    first = CODE.findall(
        client.post_form(f"/ballots/{ballot.id}/codes", data, page=turnout).get_data(as_text=True)
    )
    second = CODE.findall(
        client.post_form(f"/ballots/{ballot.id}/codes", data, page=turnout).get_data(as_text=True)
    )
    assert first != second
    voter = client.application.test_client()
    old = voter.post_form("/vote", {"code": first[0]})
    assert old.status_code == 410 and "replaced" in old.get_data(as_text=True)
    assert voter.post_form("/vote", {"code": second[0]}).status_code == 200


def test_officers_see_turnout_by_method_and_who_has_not_voted(
    client, group, officer, electors, smtp_sink
):
    from node.ballots.voting import cast_vote

    ballot = make_ballot(group, officer, open_it=True)
    voter = client.application.test_client()
    voter.post_form(_links(smtp_sink, electors[0].email)[0], ranked_form(ballot, "Ann"))
    cast_vote(ballot, electors[1], [2], method="code")
    db.session.commit()
    client.sign_in(officer.email)
    page = client.get(f"/ballots/{ballot.id}/turnout").get_data(as_text=True)
    assert re.search(r'id="turnout-total">2<', page)
    assert re.search(r'id="method-link">1<', page) and re.search(r'id="method-code">1<', page)
    assert re.search(r'id="method-signed_in">0<', page)
    assert "Not voted yet (2)" in page
    assert "Elector 2" in page and "Elector 0" not in page  # only who has not voted
    assert "Ann" not in page and "Cat" not in page  # never how anyone voted


def test_a_plain_member_cannot_see_turnout_or_print_codes(client, group, officer, make_member):
    ballot = make_ballot(group, officer, open_it=True)
    member = make_member(group, email="plain@walton.example.org")
    client.sign_in(member.email)
    assert client.get(f"/ballots/{ballot.id}/turnout").status_code == 403
    assert (
        client.post_form(
            f"/ballots/{ballot.id}/codes", {"member": [str(member.id)]}, page="/ballots"
        ).status_code
        == 403
    )


def test_a_link_of_one_group_is_refused_on_another_groups_site(
    app, make_group, make_member, smtp_sink
):
    alpha = make_group("Alpha", slug="alpha")
    make_group("Bravo", slug="bravo")
    officer = make_member(alpha, "officer", email="officer@alpha.example.org")
    make_ballot(alpha, officer, open_it=True)
    body = smtp_sink.body(smtp_sink.to(officer.email)[0])
    path = re.search(r"http://alpha\.test(/vote/[A-Za-z0-9_-]+)", body).group(1)
    client = app.test_client()
    refused = client.get(path, base_url="http://bravo.test")
    assert refused.status_code == 404 and "not valid" in refused.get_data(as_text=True)
    assert client.get(path, base_url="http://alpha.test").status_code == 200


def test_the_code_box_is_rate_limited_on_refused_codes(app, client, group):
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    statuses = [
        client.post_form("/vote", {"code": f"AAAA-BBBB-CCCC-{n:04d}"}).status_code for n in range(5)
    ]
    assert statuses[:3] == [404, 404, 404]
    assert statuses[3:] == [429, 429]
