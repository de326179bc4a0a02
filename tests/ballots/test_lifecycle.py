"""Officer set-up through the web: create, preview the electorate, open, edits refused, mail."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot


def _form(**overrides):  # type: ignore[no-untyped-def]
    now = clock.now().astimezone()  # any zone: the form is read as UK time
    data = {
        "title": "Regional delegates",
        "question": "Rank the nominees",
        "kind": "candidate-selection",
        "method": "scottish-stv",
        "options": "Ann\r\nBob\r\nCat\r\nDee",
        "seats": "2",
        "opens_at": (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=8)).strftime("%Y-%m-%dT%H:%M"),
        "freeze_on": clock.today().isoformat(),
        "threshold": "simple",
    }
    data.update(overrides)
    return data


def test_officer_creates_previews_and_opens_a_ballot(
    officer_client, group, officer, make_member, smtp_sink
):
    from node.ballots.models import Ballot, Elector

    voters = [make_member(group, joined_on=date(2020, 1, 1)) for _ in range(3)]
    make_member(group, status="lapsed")  # lapsed: not on the electorate
    late = make_member(group, joined_on=clock.today() + timedelta(days=1))

    response = officer_client.post_form("/ballots/new", _form(), page="/ballots/new")
    assert response.status_code == 302
    ballot = db.session.scalar(select(Ballot))
    assert ballot.state == "draft" and [o.name for o in ballot.options] == [
        "Ann",
        "Bob",
        "Cat",
        "Dee",
    ]

    preview = officer_client.get(f"/ballots/{ballot.id}/electorate").get_data(as_text=True)
    assert 'id="electorate-size">4<' in preview  # three members and the officer
    assert late.email not in preview
    rows = list(
        csv.reader(
            io.StringIO(
                officer_client.get(f"/ballots/{ballot.id}/electorate.csv").get_data(as_text=True)
            )
        )
    )
    assert {r[2] for r in rows[1:]} == {officer.email, *(v.email for v in voters)}

    # "Open now" first says what it will do, and does nothing yet.
    response = officer_client.post_form(
        f"/ballots/{ballot.id}/open-now", page=f"/ballots/{ballot.id}/electorate"
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="confirm-mailed">4<' in page
    assert "cannot be undone" in page
    db.session.refresh(ballot)
    assert ballot.state == "draft" and smtp_sink.messages == []
    response = officer_client.post_form(
        f"/ballots/{ballot.id}/open-now",
        {"confirm": "yes"},
        page=f"/ballots/{ballot.id}/electorate",
    )
    assert response.status_code == 302
    db.session.refresh(ballot)
    assert ballot.state == "open" and ballot.electorate_size == 4
    assert db.session.scalar(select(func.count()).select_from(Elector)) == 4
    mailed = set(smtp_sink.recipients())
    assert mailed == {officer.email, *(v.email for v in voters)}
    log = officer_client.get(f"/ballots/{ballot.id}/mail").get_data(as_text=True)
    assert log.count(">sent<") == 4

    # The electorate is frozen: a member joining now does not get a vote.
    newcomer = make_member(group, joined_on=date(2019, 1, 1))
    assert newcomer.email not in officer_client.get(f"/ballots/{ballot.id}/electorate").get_data(
        as_text=True
    )

    # Edits after opening are refused.
    assert officer_client.get(f"/ballots/{ballot.id}/edit").status_code == 409
    response = officer_client.post_form(
        f"/ballots/{ballot.id}/edit", _form(title="Changed"), page=f"/ballots/{ballot.id}"
    )
    assert response.status_code == 409
    db.session.refresh(ballot)
    assert ballot.title == "Regional delegates"


def test_opening_with_an_empty_electorate_is_refused(officer_client, group, officer, smtp_sink):
    from node.ballots.models import Ballot

    response = officer_client.post_form(
        "/ballots/new", _form(freeze_on="2001-01-01"), page="/ballots/new"
    )
    assert response.status_code == 302
    ballot = db.session.scalar(select(Ballot))
    page = officer_client.get(f"/ballots/{ballot.id}/electorate").get_data(as_text=True)
    assert 'id="electorate-size">0<' in page and "cannot open" in page
    response = officer_client.post_form(f"/ballots/{ballot.id}/open-now", page="/ballots")
    assert response.status_code == 303
    assert "Nobody is on this ballot" in officer_client.get(response.location).get_data(
        as_text=True
    )
    db.session.refresh(ballot)
    assert ballot.state == "draft" and not ballot.scheduled
    assert smtp_sink.messages == []


def test_bad_ballot_definitions_are_refused_with_a_reason(officer_client, group, officer):
    from node.ballots.models import Ballot

    cases = [
        ({"options": "Ann\r\nAnn"}, "same name"),
        ({"options": "Ann"}, "between 2 and"),
        ({"method": "irv", "seats": "2"}, "one seat"),
        ({"seats": "4"}, "fewer seats than candidates"),
        ({"closes_at": "2001-01-01T10:00"}, "close after it opens"),
        ({"quorum": "5", "quorum_percent": "10"}, "not both"),
        ({"kind": "candidate-selection", "method": "motion"}, "needs candidates"),
        ({"options": 'Ann "the axe"\r\nBob'}, "double quotes"),
    ]
    for change, message in cases:
        response = officer_client.post_form("/ballots/new", _form(**change), page="/ballots/new")
        assert response.status_code == 400, change
        assert message in response.get_data(as_text=True), change
    assert db.session.scalar(select(func.count()).select_from(Ballot)) == 0


def test_members_cannot_see_drafts_or_officer_pages(client, group, officer, make_member):
    member = make_member(group)
    ballot = make_ballot(group, officer)
    client.sign_in(member.email)
    assert client.get(f"/ballots/{ballot.id}").status_code == 404
    assert client.get(f"/ballots/{ballot.id}/electorate").status_code == 403
    assert ballot.title not in client.get("/ballots").get_data(as_text=True)


def test_minimum_membership_rule(group, officer, make_member):
    from node.ballots import operations as ops

    old = make_member(group, joined_on=clock.today() - timedelta(days=200))
    make_member(group, joined_on=clock.today() - timedelta(days=20))
    ballot = make_ballot(group, officer, min_days=90)
    electorate = db.session.scalars(ops.electorate_query(ballot)).all()
    assert old in electorate and len(electorate) == 1  # the officer joined today


def test_subject_access_lists_ballots_taken_part_in_not_the_vote(
    client, group, officer, make_member
):
    from node.ballots.voting import cast_vote

    member = make_member(group)
    ballot = make_ballot(group, officer, open_it=True, title="Secret matters")
    cast_vote(ballot, member, [2, 0])
    db.session.commit()
    client.sign_in(member.email)
    data = client.get("/profile/data.json").get_json()
    assert [b["title"] for b in data["ballots_voted_in"]] == ["Secret matters"]
    assert "ranking" not in str(data["ballots_voted_in"]) and "Cat" not in str(data)


def test_dashboard_lists_open_ballots(client, group, officer, make_member):
    member = make_member(group)
    make_ballot(group, officer, open_it=True, title="Open question")
    client.sign_in(member.email)
    page = client.get("/").get_data(as_text=True)
    assert "Open ballots" in page and "Open question" in page and "not voted yet" in page
