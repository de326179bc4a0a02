"""The organising kernel: one sign-up/attendance implementation for every room's rows, and the
organiser record assembled from the rooms' providers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest

from node import clock

AT = datetime(2029, 5, 1, 18, 0)


@dataclass
class Row:
    member_id: int
    status: str = "signed_up"
    attended: bool | None = None


def test_join_withdraw_and_attendance_on_any_rows(app: Any, group: Any, make_member: Any) -> None:
    from node.errors import Conflict, Invalid
    from node.organising import signups

    ann, bob = make_member(group, email="ann@example.org"), make_member(group, email="b@x.org")
    rows: list[Row] = []
    first = signups.join(rows, ann, lambda: Row(ann.id))
    assert signups.join(rows, ann, lambda: Row(ann.id)) is first and len(rows) == 1
    assert signups.withdraw(rows, ann, ("signed_up",), "not in").status == "withdrawn"
    with pytest.raises(Conflict, match="not in"):
        signups.withdraw(rows, ann, ("signed_up",), "not in")
    signups.record_attendance(rows, group.id, {bob.id}, lambda member_id: Row(member_id))
    assert [(r.member_id, r.attended) for r in rows] == [(ann.id, False), (bob.id, True)]
    with pytest.raises(Invalid, match="members of the group"):
        signups.record_attendance(rows, group.id, {99_999}, lambda member_id: Row(member_id))


def test_the_ladder_gathers_every_room_and_orders_ties_by_kind(
    app: Any, group: Any, officer: Any, make_member: Any
) -> None:
    from node.campaigns import operations as campaigns
    from node.education import operations as education
    from node.events import operations as events
    from node.extensions import db
    from node.organising.record import ladder
    from node.unions import operations as unions

    member = make_member(group, "organiser", email="kim@example.org", union="Unite")
    with clock.frozen(AT):
        member.created_at = AT
        campaign = campaigns.create_campaign(group, {"title": "Rents"}, member)
        action = campaigns.add_action(
            campaign, {"title": "Leaflet", "kind": "leaflet", "starts_at": AT}, officer
        )
        action.starts_at = AT
        campaigns.record_outcome(action, {member.id}, "", officer)
        event = events.create_event(
            group,
            {
                "title": "Meeting",
                "kind": "meeting",
                "starts_at": AT,
                "ends_at": AT.replace(hour=20),
                "tz": "UTC",  # starts at the frozen now: not in the past
            },
            officer,
        )
        event.starts_at = AT
        events.record_attendance(event, {member.id}, officer)
        programme = education.save_programme(group, None, {"title": "Reading"}, officer)
        enrolment = education.enrol(programme, member)
        db.session.flush()
        education.set_completed(programme, enrolment.id, True, officer)
        unions.declare(member, "care", "shop steward")
        db.session.flush()
        for row in campaign.organisers:
            row.since = AT
        record = ladder(member)
    assert [(e.kind, e.label) for e in record.entries] == [
        ("action", "Leaflet"),
        ("event", "Meeting"),
        ("programme", "Reading"),
        ("role", "Campaign organiser"),
        ("role", "Shop steward"),
        ("role", "Group organiser"),
    ]
    assert record.counts == {"action": 1, "event": 1, "programme": 1, "role": 3}
    assert record.by_year == [(2029, record.counts)] and record.rung == "leader"


def test_commitments_page_shows_the_events_a_member_is_going_to(
    app: Any, group: Any, officer: Any, make_member: Any
) -> None:
    from node.events import operations as events
    from node.extensions import db

    member = make_member(group, email="kai@example.org")
    with clock.frozen(AT):
        event = events.create_event(
            group,
            {
                "title": "Social",
                "kind": "social",
                "starts_at": datetime(2029, 6, 1, 19),
                "ends_at": datetime(2029, 6, 1, 22),
                "capacity": 1,
            },
            officer,
        )
        events.rsvp(event, officer)
        events.rsvp(event, member)
        db.session.commit()
        client = app.test_client()
        client.sign_in(member.email)
        page = client.get("/my/commitments").get_data(as_text=True)
    shown = '<time datetime="2029-06-01T18:00Z">Fri 1 Jun 2029, 19:00 (UK time)</time>'
    assert f'<a href="/events/{event.id}">Social</a> — {shown}' in page
    assert '<span class="badge">waiting list</span>' in page
