"""Issue 13, finding 12: a lapsed member keeps member pages but no organiser or officer power
(Member.has_role); the ballots' electorate rule is their own and unchanged."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from node.extensions import db


def test_lapsed_officer_loses_officer_and_organiser_powers(app, client, group, officer):
    officer.status = "lapsed"
    db.session.commit()
    client.sign_in(officer.email)
    assert client.get("/").status_code == 200  # still a member: the dashboard
    assert client.get("/profile").status_code == 200
    for page in ("/members", "/members/invite", "/audit", "/members/export.csv"):
        assert client.get(page).status_code == 403, page
    refused = client.post_form("/members/invite", {"email": "x@example.org"}, page="/profile")
    assert refused.status_code == 403
    assert not officer.is_officer and not officer.is_organiser and officer.has_role("member")
    officer.status = "active"
    db.session.commit()
    assert client.get("/members/invite").status_code == 200


def test_lapsed_organiser_loses_the_roster(app, client, group, make_member):
    organiser = make_member(group, "organiser", status="lapsed")
    client.sign_in(organiser.email)
    assert client.get("/members").status_code == 403
    assert client.get("/").status_code == 200


def test_electorate_rule_is_unchanged(app, group, make_member):
    from node.ballots.operations import electorate_query

    active = make_member(group, "member", joined_on=date(2020, 1, 1))
    lapsed = make_member(group, "officer", joined_on=date(2020, 1, 1), status="lapsed")
    rule = SimpleNamespace(group_id=group.id, freeze_on=date(2024, 1, 1), min_days=0)
    ids = {m.id for m in db.session.scalars(electorate_query(rule))}
    assert active.id in ids and lapsed.id not in ids


def test_the_last_active_officer_cannot_be_lapsed(app, client, group, officer, make_member):
    """A lapsed officer has no powers, so lapsing the last active one would orphan the group;
    another officer who is already lapsed does not count."""
    make_member(group, "officer", status="lapsed")
    client.sign_in(officer.email)
    page = f"/members/{officer.id}"
    refused = client.post_form(f"/members/{officer.id}/lapse", {}, page=page)
    assert refused.status_code == 302
    assert "at least one active officer" in client.get(page).get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.status == "active"
    edited = client.post_form(
        f"/members/{officer.id}/edit",
        {"name": officer.name, "email": officer.email, "status": "lapsed", "role": "officer"},
        page=f"/members/{officer.id}/edit",
    )
    assert edited.status_code == 400
    db.session.refresh(officer)
    assert officer.status == "active"
