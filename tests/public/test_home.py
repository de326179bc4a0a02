"""The group's `/` for visitors: who the group is, public events and campaigns, published
endorsements and the way in; never the roster. Signed-in members still get their dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from icalendar import Calendar

from node import clock
from node.campaigns.models import Campaign
from node.events.models import Event
from node.extensions import db
from node.public.models import PublicProfile

MARK = "Zqxroster"  # in every member's name, e-mail, ward, union, workplace and notes


def _event(group, title: str, public: bool, days: int = 3, **kw) -> Event:  # type: ignore[no-untyped-def]
    start = clock.utcnow_naive() + timedelta(days=days)
    event = Event(
        group_id=group.id,
        title=title,
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        public=public,
        place="Everton Library",
        **kw,
    )
    db.session.add(event)
    db.session.commit()
    return event


def _campaign(group, title: str, public: bool) -> Campaign:  # type: ignore[no-untyped-def]
    campaign = Campaign(group_id=group.id, title=title, summary=f"{title} summary", public=public)
    db.session.add(campaign)
    db.session.commit()
    return campaign


@pytest.fixture
def seeded(group, make_member):  # type: ignore[no-untyped-def]
    from node.peering import operations as fed

    db.session.add(
        PublicProfile(
            group_id=group.id,
            description="We are **Walton's** tenants.\n\n<script>alert('x')</script>",
        )
    )
    _event(group, "Open meeting on rents", public=True)
    _event(group, "Officers' planning session", public=False)
    _event(group, "Cancelled picnic", public=True, cancelled=True)
    _event(group, "Last year's fair", public=True, days=-30)
    _campaign(group, "Save the library", public=True)
    _campaign(group, "Internal strategy review", public=False)
    decision = fed.meeting_decision("2026-01-10", "walton/1", "agreed")
    fed.endorse_candidate(group, "Ada Candidate", "Councillor", "Everton", "2027-05-06", decision)
    old = fed.endorse_candidate(
        group, "Bert Withdrawn", "Councillor", "Anfield", "2027-05-06", decision
    )
    fed.retract(group, old.statement_id, "He stood down.")
    db.session.commit()
    return group


def test_a_visitor_sees_the_public_face(app, seeded):
    response = app.test_client().get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "<strong>Walton's</strong> tenants" in page
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "Open meeting on rents" in page and "Everton Library" in page
    assert "Officers' planning session" not in page
    assert "Cancelled picnic" not in page and "Last year's fair" not in page
    assert "Save the library" in page and "Internal strategy review" not in page
    assert "Ada Candidate" in page and "Councillor, Everton" in page
    assert "Bert Withdrawn" not in page  # retracted
    assert 'href="/join"' in page and "/events.ics" in page


def test_add_to_calendar_gives_one_public_event(app, seeded):
    client = app.test_client()
    public = db.session.query(Event).filter_by(title="Open meeting on rents").one()
    private = db.session.query(Event).filter_by(title="Officers' planning session").one()
    response = client.get(f"/public/events/{public.id}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    [item] = Calendar.from_ical(response.data).walk("VEVENT")
    assert str(item["SUMMARY"]) == "Open meeting on rents"
    assert client.get(f"/public/events/{private.id}.ics").status_code == 404
    assert f"/public/events/{public.id}.ics" in client.get("/").get_data(as_text=True)


def test_a_signed_in_member_still_gets_the_dashboard(app, seeded, make_member):
    member = make_member(seeded, "member", name="Mo Member")
    client = app.test_client()
    client.sign_in(member.email)
    page = client.get("/").get_data(as_text=True)
    assert "Dashboard" in page and "Join us" not in page


def test_no_public_page_shows_the_roster(app, seeded, make_member, smtp_sink):
    for i, role in enumerate(("member", "organiser", "officer", "member")):
        make_member(
            seeded,
            role,
            email=f"{MARK.lower()}{i}@example.org",
            name=f"{MARK} Person {i}",
            ward=f"{MARK} Ward",
            union=f"{MARK} Union",
            workplace=f"{MARK} Works",
            notes=f"{MARK} note",
            phone="07700 900999",
            account=i % 2 == 0,
        )
    from node.public.models import MembershipApplication

    db.session.add(
        MembershipApplication(
            group_id=seeded.id,
            status="pending",
            name=f"{MARK} Applicant",
            email=f"{MARK.lower()}.applicant@example.org",
        )
    )
    db.session.commit()
    client = app.test_client()
    checked = 0
    adapter = app.url_map.bind("localhost")
    ids = [e.id for e in db.session.query(Event)] + [1, 2, 3]
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, "access", None) != "public" or "GET" not in (rule.methods or ()):
            continue
        combos = [{a: (i if "id" in a else "x") for a in rule.arguments} for i in ids]
        for values in combos:
            path = adapter.build(rule.endpoint, values)
            body = client.get(path).get_data(as_text=True)
            assert MARK.lower() not in body.lower(), f"{path} shows the roster"
            assert "07700 900999" not in body, path
            checked += 1
    assert checked > 20
    # The marker is really there to be found (so the check above can fail).
    organiser = app.test_client()
    organiser.sign_in(f"{MARK.lower()}2@example.org")
    assert MARK in organiser.get("/members").get_data(as_text=True)


def test_one_groups_public_items_never_reach_anothers_page(app, seeded, make_group):
    other = make_group("Anfield", slug="anfield", url="http://anfield.test")
    _event(other, "Anfield public rally", public=True)
    _campaign(other, "Anfield public campaign", public=True)
    db.session.add(PublicProfile(group_id=other.id, description="Anfield says hello"))
    db.session.commit()
    ours = app.test_client().get("/", base_url="http://localhost").get_data(as_text=True)
    theirs = app.test_client().get("/", base_url="http://anfield.test").get_data(as_text=True)
    assert "Anfield" not in ours and "Open meeting on rents" in ours
    assert "Anfield public rally" in theirs and "Anfield says hello" in theirs
    assert "Open meeting on rents" not in theirs and "Ada Candidate" not in theirs


def test_officers_edit_the_description_and_it_is_rendered_safely(app, group, officer_client):
    response = officer_client.post_form(
        "/public/settings",
        {
            "description": "# Hello\n\n[site](javascript:alert(1)) <img src=x onerror=alert(1)>",
            "join_open": "y",
        },
    )
    assert response.status_code == 302
    page = app.test_client().get("/").get_data(as_text=True)
    assert "<h3>Hello</h3>" in page  # below the page's own h1 and h2
    assert 'href="javascript:' not in page
    assert "<img" not in page and "&lt;img" in page
    # Closing the join form hides it from the page.
    officer_client.post_form("/public/settings", {"description": "Hello"})
    assert 'href="/join"' not in app.test_client().get("/").get_data(as_text=True)


def test_campaign_and_event_forms_carry_the_public_choice(app, group, officer_client):
    new_event = officer_client.get("/events/new").get_data(as_text=True)
    assert re.search(r'<input checked id="public"', new_event)  # events: public by default
    new_campaign = officer_client.get("/campaigns/new").get_data(as_text=True)
    assert re.search(r'<input id="public"', new_campaign)  # campaigns: members-only by default
    data = {"title": "Fix the lifts", "summary": "Now.", "status": "active", "public": "y"}
    created = officer_client.post_form("/campaigns/new", data)
    assert created.status_code == 302
    assert db.session.query(Campaign).filter_by(title="Fix the lifts").one().public is True
    assert "Fix the lifts" in app.test_client().get("/").get_data(as_text=True)
