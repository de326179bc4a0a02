"""Campaigns and actions through the web: create, sign up, message, record, unsubscribe."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select


@pytest.fixture
def organiser(group, make_member):  # type: ignore[no-untyped-def]
    return make_member(group, "organiser", email="org@walton.example.org", name="Orla Organiser")


@pytest.fixture
def org_client(app, organiser):  # type: ignore[no-untyped-def]
    c = app.test_client()
    c.sign_in(organiser.email)
    return c


def _campaign(client, title="Save the Library"):  # type: ignore[no-untyped-def]
    r = client.post_form(
        "/campaigns/new",
        {
            "title": title,
            "summary": "Keep it open",
            "partners": "Friends of the Library\nUNISON",
            "status": "active",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _action(client, campaign_id, title="Leaflet Heyworth St"):  # type: ignore[no-untyped-def]
    r = client.post_form(
        f"/campaigns/{campaign_id}/actions/new",
        {
            "title": title,
            "kind": "leaflet",
            "starts_at": "2030-03-01T10:00",
            "place": "Library steps",
            "target": "10",
        },
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[1])


def test_campaign_action_signup_message_and_record(app, org_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    from node.campaigns.models import Action, Campaign

    cid = _campaign(org_client)
    campaign = app.extensions["sqlalchemy"].session.get(Campaign, cid)
    assert campaign.id_url == f"http://localhost/campaigns/{cid}"
    assert campaign.origin == group.url and not campaign.received
    aid = _action(org_client, cid)
    page = org_client.get(f"/campaigns/{cid}").get_data(as_text=True)
    assert "Leaflet Heyworth St" in page and "Friends of the Library" in page

    keen = make_member(group, email="keen@example.org", name="Keen Kofi")
    quiet = make_member(group, email="quiet@example.org", name="Quiet Quinn", consent_email=False)
    for person in (keen, quiet):
        c = app.test_client()
        c.sign_in(person.email)
        assert c.post_form(f"/actions/{aid}/signup", page=f"/actions/{aid}").status_code == 302
    mine = c.get("/my/commitments").get_data(as_text=True)
    assert "Leaflet Heyworth St" in mine

    smtp_sink.clear()
    r = org_client.post_form(
        f"/actions/{aid}/message",
        {"subject": "Meet at 10", "body": "Bring water"},
        page=f"/actions/{aid}",
    )
    assert r.status_code == 302
    assert smtp_sink.recipients() == ["keen@example.org"]
    body = smtp_sink.body(smtp_sink.to("keen@example.org")[0])
    assert "Bring water" in body and "/unsubscribe/" in body
    assert (
        smtp_sink.to("keen@example.org")[0]["List-Unsubscribe"]
        .strip()
        .startswith("<http://localhost/unsubscribe/")
    )

    r = org_client.post_form(
        f"/actions/{aid}/record",
        {"attended": [str(keen.id)], "outcome": "200 leaflets out"},
        page=f"/actions/{aid}",
    )
    assert r.status_code == 302
    action = app.extensions["sqlalchemy"].session.get(Action, aid)
    assert {s.member_id: s.attended for s in action.signups} == {keen.id: True, quiet.id: False}

    officer_page = app.test_client()
    # The member sees the action on their own organiser record.
    kc = app.test_client()
    kc.sign_in(keen.email)
    record = kc.get("/organising/me").get_data(as_text=True)
    assert "Leaflet Heyworth St" in record and "Save the Library" in record
    assert officer_page.get("/organising/me").status_code == 302  # anonymous → sign in

    csv_text = org_client.get(f"/actions/{aid}/signups.csv").get_data(as_text=True)
    assert "Keen Kofi,keen@example.org,signed_up" in csv_text
    assert "Save the Library" in org_client.get("/campaigns.csv").get_data(as_text=True)


def test_unsubscribe_link_turns_consent_off(app, org_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    from node.extensions import db
    from node.members.models import Member

    cid = _campaign(org_client)
    aid = _action(org_client, cid)
    keen = make_member(group, email="keen@example.org")
    c = app.test_client()
    c.sign_in(keen.email)
    c.post_form(f"/actions/{aid}/signup", page=f"/actions/{aid}")
    smtp_sink.clear()
    org_client.post_form(
        f"/actions/{aid}/message", {"subject": "Hi", "body": "Hello"}, page=f"/actions/{aid}"
    )
    link = re.search(
        r"http://localhost(/unsubscribe/\S+)", smtp_sink.body(smtp_sink.to(keen.email)[0])
    )
    assert link
    anonymous = app.test_client()
    assert anonymous.get(link.group(1)).status_code == 200
    assert anonymous.post(link.group(1), data={"List-Unsubscribe": "One-Click"}).status_code == 200
    assert db.session.get(Member, keen.id).consent_email is False
    assert anonymous.get("/unsubscribe/forged-token").status_code == 404
    smtp_sink.clear()
    org_client.post_form(
        f"/actions/{aid}/message", {"subject": "Hi", "body": "Again"}, page=f"/actions/{aid}"
    )
    assert smtp_sink.recipients() == []


def test_bad_input_is_refused_and_nothing_stored(app, org_client, client, group, make_member):  # type: ignore[no-untyped-def]
    from node.campaigns.models import Action, Campaign
    from node.extensions import db

    assert (
        org_client.post_form("/campaigns/new", {"title": "", "status": "active"}).status_code == 400
    )
    assert org_client.post_form("/campaigns/new", {"title": "x" * 300}).status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Campaign)) == 0
    cid = _campaign(org_client)
    r = org_client.post_form(
        f"/campaigns/{cid}/actions/new",
        {"title": "Go", "kind": "leaflet", "starts_at": "not a date"},
    )
    assert r.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Action)) == 0
    # Plain members cannot create campaigns; withdrawing what you never signed up for is a 409.
    member = make_member(group)
    client.sign_in(member.email)
    assert (
        client.post_form("/campaigns/new", {"title": "Mine"}, page="/campaigns").status_code == 403
    )
    aid = _action(org_client, cid)
    assert client.post_form(f"/actions/{aid}/withdraw", page=f"/actions/{aid}").status_code == 409


def test_list_filters_and_paginates(app, org_client, group):  # type: ignore[no-untyped-def]
    from node.campaigns import operations as ops
    from node.extensions import db
    from node.members.models import Member

    actor = db.session.scalar(select(Member).where(Member.role == "organiser"))
    for i in range(30):
        ops.create_campaign(
            group,
            {"title": f"Campaign {i:02d}", "status": "won" if i % 3 == 0 else "active"},
            actor,
        )
    db.session.commit()
    first = org_client.get("/campaigns").get_data(as_text=True)
    assert "Page 1 of 2" in first
    won = org_client.get("/campaigns?status=won").get_data(as_text=True)
    assert "Campaign 03" in won and "Campaign 04" not in won
    assert "Campaign 07" in org_client.get("/campaigns?q=07").get_data(as_text=True)


def test_dashboard_shows_active_campaigns_and_next_actions(app, org_client):  # type: ignore[no-untyped-def]
    cid = _campaign(org_client, "Rent controls now")
    _action(org_client, cid, "Door-knock Anfield")
    page = org_client.get("/").get_data(as_text=True)
    assert (
        "Active campaigns" in page and "Rent controls now" in page and "Door-knock Anfield" in page
    )


def test_officer_endorses_a_campaign_through_federation(app, officer_client):  # type: ignore[no-untyped-def]
    from node.campaigns.models import Campaign
    from node.extensions import db

    cid = _campaign(officer_client)
    page = officer_client.get(f"/campaigns/{cid}").get_data(as_text=True)
    assert "Endorse and share with peers" in page
    # A decision needs its meeting and minute; without them nothing is published.
    r = officer_client.post_form(
        f"/campaigns/{cid}/endorse", {"decided_on": "", "minute": ""}, page=f"/campaigns/{cid}"
    )
    assert r.status_code == 400
    r = officer_client.post_form(
        f"/campaigns/{cid}/endorse",
        {"decided_on": "2026-11-20", "minute": "GM 2026/14"},
        page=f"/campaigns/{cid}",
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    assert db.session.get(Campaign, cid).endorsed_at is not None
    assert "Endorsed by the group" in officer_client.get(f"/campaigns/{cid}").get_data(as_text=True)
