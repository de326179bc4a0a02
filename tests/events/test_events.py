"""Events: RSVP and waiting list, attendance, iCalendar feeds, reminders through a real SMTP sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest

from node import clock

NOW = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)  # summer: London is UTC+1


@pytest.fixture
def org_client(app, group, make_member):  # type: ignore[no-untyped-def]
    organiser = make_member(group, "organiser", email="org@walton.example.org")
    c = app.test_client()
    c.sign_in(organiser.email)
    return c


def _event(
    client,
    capacity="",
    public="y",
    title="Branch meeting",
    start="2030-06-11T19:00",
    end="2030-06-11T21:00",
    tz="Europe/London",
):  # type: ignore[no-untyped-def]
    data = {
        "title": title,
        "kind": "meeting",
        "starts_at": start,
        "ends_at": end,
        "tz": tz,
        "place": "Casa, Hope St",
        "capacity": capacity,
        "programme_id": "0",
        "campaign_id": "0",
    }
    if public:
        data["public"] = "y"
    r = client.post_form("/events/new", data)
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rsplit("/", 1)[1])


def _member_client(app, member):  # type: ignore[no-untyped-def]
    c = app.test_client()
    c.sign_in(member.email)
    return c


def test_waiting_list_and_promotion_by_email(app, org_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    from node.events.models import Event
    from node.extensions import db

    with clock.frozen(NOW):
        eid = _event(org_client, capacity="1")
        first, second, third = (make_member(group, email=f"m{i}@example.org") for i in range(3))
        c1, c2, c3 = (_member_client(app, m) for m in (first, second, third))
        assert c1.post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}").status_code == 302
        c2.post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}")
        c3.post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}")
        assert "waiting list (number 1)" in c2.get(f"/events/{eid}").get_data(as_text=True)
        assert "waiting list (number 2)" in c3.get(f"/events/{eid}").get_data(as_text=True)
        smtp_sink.clear()
        assert c1.post_form(f"/events/{eid}/withdraw", page=f"/events/{eid}").status_code == 302
        event = db.session.get(Event, eid)
        db.session.refresh(event)
        assert {r.member_id: r.status for r in event.rsvps} == {
            first.id: "withdrawn",
            second.id: "going",
            third.id: "waitlisted",
        }
        assert smtp_sink.recipients() == [second.email]
        assert "A place for you" in smtp_sink.to(second.email)[0]["Subject"]
        assert "You're going" in c2.get(f"/events/{eid}").get_data(as_text=True)
        # Attendance, then the member's organiser record shows the event.
        r = org_client.post_form(
            f"/events/{eid}/attendance", {"attended": [str(second.id)]}, page=f"/events/{eid}"
        )
        assert r.status_code == 302
        assert "Branch meeting" in c2.get("/organising/me").get_data(as_text=True)
        assert "m1@example.org,going" in org_client.get(f"/events/{eid}/rsvps.csv").get_data(
            as_text=True
        )


def test_public_ics_feed_has_the_event_with_its_time_zone(app, org_client, client):  # type: ignore[no-untyped-def]
    with clock.frozen(NOW):
        _event(org_client, title="Public rally")
        _event(org_client, title="Members-only planning", public="")
        r = client.get("/events.ics")  # anonymous: the contract is public
    assert r.status_code == 200 and r.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(r.data)
    events = cal.walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Public rally"]
    start = events[0]["DTSTART"]
    assert start.params["TZID"] == "Europe/London"
    assert start.dt == datetime(2030, 6, 11, 19, 0, tzinfo=start.dt.tzinfo)
    assert start.dt.astimezone(UTC) == datetime(2030, 6, 11, 18, 0, tzinfo=UTC)
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]


def test_private_feed_token_can_be_regenerated(app, org_client, group, make_member):  # type: ignore[no-untyped-def]
    import re

    member = make_member(group)
    mc = _member_client(app, member)
    with clock.frozen(NOW):
        eid = _event(org_client, public="", title="Members-only planning")
        mc.post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}")
        mc.post_form("/events/feed", {"do": "regenerate"})
        url = re.search(
            r'value="http://localhost(/events/feed/[^"]+\.ics)"',
            mc.get("/events/feed").get_data(as_text=True),
        ).group(1)
        anonymous = app.test_client()
        feed = icalendar.Calendar.from_ical(anonymous.get(url).data)
        assert [str(e["SUMMARY"]) for e in feed.walk("VEVENT")] == ["Members-only planning (going)"]
        mc.post_form("/events/feed", {"do": "regenerate"})
        assert anonymous.get(url).status_code == 404
        mc.post_form("/events/feed", {"do": "revoke"})
        assert "Make my private calendar address" in mc.get("/events/feed").get_data(as_text=True)


def test_reminders_go_to_consenting_members_only(app, org_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    from node.scheduler import run_due_tasks

    going = make_member(group, email="going@example.org")
    withdrew_consent = make_member(group, email="noconsent@example.org", consent_email=False)
    not_going = make_member(group, email="notgoing@example.org")
    assert not_going
    with clock.frozen(NOW):
        eid = _event(org_client, start="2030-06-12T19:00", end="2030-06-12T21:00")
        for m in (going, withdrew_consent):
            _member_client(app, m).post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}")
        smtp_sink.clear()
        assert run_due_tasks()["events.reminders"] == 0  # 2 days ahead: not yet
    with clock.frozen(NOW + timedelta(days=1, hours=10)):  # 23 hours before the start
        assert run_due_tasks()["events.reminders"] == 1
        assert run_due_tasks()["events.reminders"] == 0  # once only
    assert smtp_sink.recipients() == ["going@example.org"]
    message = smtp_sink.to("going@example.org")[0]
    assert message["Subject"] == "Reminder: Branch meeting"
    body = smtp_sink.body(message)
    assert "When: Wed 12 Jun 2030, 19:00 (UK time)" in body and "/unsubscribe/" in body


def test_bad_event_input_is_refused(app, org_client):  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from node.events.models import Event
    from node.extensions import db

    base = {
        "title": "X",
        "kind": "meeting",
        "starts_at": "2030-06-11T19:00",
        "tz": "Europe/London",
        "programme_id": "0",
        "campaign_id": "0",
    }
    assert (
        org_client.post_form("/events/new", dict(base, ends_at="2030-06-11T18:00")).status_code
        == 400
    )
    assert (
        org_client.post_form(
            "/events/new", dict(base, ends_at="2030-06-11T20:00", tz="Mars/Olympus")
        ).status_code
        == 400
    )
    assert (
        org_client.post_form(
            "/events/new", dict(base, ends_at="2030-06-11T20:00", capacity="-3")
        ).status_code
        == 400
    )
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
