"""Marking a member as lapsed asks first and says what changes; the audit log shows UK time."""

from __future__ import annotations

from datetime import UTC, datetime

from node import clock
from node.extensions import db

SUMMER = datetime(2026, 7, 1, 11, 5, tzinfo=UTC)  # 12:05 in London


def test_lapse_is_confirmed_on_a_page_then_done(officer_client, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    member = make_member(group, "organiser", name="Dev Patel")
    show = officer_client.get(f"/members/{member.id}").get_data(as_text=True)
    assert f'href="/members/{member.id}/lapse"' in show

    page = officer_client.get(f"/members/{member.id}/lapse")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Mark Dev Patel as lapsed?" in text
    assert "left off the electorate" in text and "lose their organiser powers" in text
    db.session.refresh(member)
    assert member.status == "active"  # looking is not doing

    with clock.frozen(SUMMER):
        done = officer_client.post_form(f"/members/{member.id}/lapse", follow_redirects=True)
    assert "Dev Patel is now lapsed. Nobody was e-mailed." in done.get_data(as_text=True)
    db.session.refresh(member)
    assert member.status == "lapsed" and smtp_sink.recipients() == []
    # Already lapsed: the page goes back to the record instead of offering it again.
    assert officer_client.get(f"/members/{member.id}/lapse").status_code == 302

    audit = officer_client.get("/audit").get_data(as_text=True)
    assert "Wed 1 Jul 2026, 12:05 (UK time)" in audit
    assert "(UTC)" not in audit and "2026-07-01 11:05" not in audit


def test_only_officers_reach_the_lapse_page(client, group, make_member):  # type: ignore[no-untyped-def]
    organiser = make_member(group, "organiser")
    other = make_member(group)
    client.sign_in(organiser.email)
    assert client.get(f"/members/{other.id}/lapse").status_code == 403
    assert client.post_form(f"/members/{other.id}/lapse", page="/").status_code == 403
    db.session.refresh(other)
    assert other.status == "active"
