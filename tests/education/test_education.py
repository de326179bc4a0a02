"""Programmes: enrolment, sessions as events, attendance, completion, and the organiser record."""

from __future__ import annotations

from datetime import UTC, datetime

from node import clock


def test_programme_enrol_session_attendance_completion(app, officer_client, group, make_member):  # type: ignore[no-untyped-def]
    from node.education.models import Enrolment
    from node.extensions import db

    r = officer_client.post_form(
        "/education/new",
        {"title": "Councillor training", "kind": "councillor training", "open": "y"},
    )
    assert r.status_code == 302
    pid = int(r.headers["Location"].rsplit("/", 1)[1])
    assert (
        officer_client.post_form(
            f"/education/{pid}/materials",
            {"title": "Handbook", "url": "https://example.org/h"},
            page=f"/education/{pid}",
        ).status_code
        == 302
    )
    assert (
        officer_client.post_form(
            f"/education/{pid}/materials",
            {"title": "Bad", "url": "javascript:x"},
            page=f"/education/{pid}",
        ).status_code
        == 400
    )
    member = make_member(group, email="learner@example.org", name="Lena Learner")
    mc = app.test_client()
    mc.sign_in(member.email)
    assert mc.post_form(f"/education/{pid}/enrol", page=f"/education/{pid}").status_code == 302
    with clock.frozen(datetime(2030, 1, 5, 12, tzinfo=UTC)):
        r = officer_client.post_form(
            "/events/new",
            {
                "title": "Session 1: budgets",
                "kind": "education",
                "starts_at": "2030-01-10T18:30",
                "ends_at": "2030-01-10T20:00",
                "tz": "Europe/London",
                "programme_id": str(pid),
                "campaign_id": "0",
            },
            page=f"/events/new?programme_id={pid}",
        )
        assert r.status_code == 302
        eid = int(r.headers["Location"].rsplit("/", 1)[1])
        mc.post_form(f"/events/{eid}/rsvp", page=f"/events/{eid}")
        officer_client.post_form(
            f"/events/{eid}/attendance", {"attended": [str(member.id)]}, page=f"/events/{eid}"
        )
    page = officer_client.get(f"/education/{pid}").get_data(as_text=True)
    assert "Session 1: budgets" in page and "1 of 1" in page and "Handbook" in page
    enrolment = db.session.query(Enrolment).one()
    assert (
        officer_client.post_form(
            f"/education/{pid}/enrolments/{enrolment.id}/complete",
            {"done": "1"},
            page=f"/education/{pid}",
        ).status_code
        == 302
    )
    record = officer_client.get(f"/organising/members/{member.id}").get_data(as_text=True)
    assert "Councillor training" in record and "Session 1: budgets" in record
    assert "You completed this programme" in mc.get(f"/education/{pid}").get_data(as_text=True)
    assert "Lena Learner,learner@example.org,completed" in officer_client.get(
        f"/education/{pid}/enrolments.csv"
    ).get_data(as_text=True)
    # Members see their own record, not other people's.
    assert mc.get(f"/organising/members/{member.id}").status_code == 403
