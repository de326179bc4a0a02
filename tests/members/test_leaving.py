"""A member leaves the group from their profile: a confirmation saying what is erased and what
is kept, then the same erasure as an officer's; the last active officer cannot leave."""

from __future__ import annotations

from sqlalchemy import select

from node.audit import AuditEntry
from node.extensions import db
from node.members.models import Account, Member


def test_leaving_erases_the_member_and_signs_them_out(app, group, officer, make_member):
    ann = make_member(group, email="ann@example.org", name="Ann Leaver", phone="07700 900123")
    client = app.test_client()
    client.sign_in(ann.email)
    profile = client.get("/profile").get_data(as_text=True)
    assert 'href="/profile/leave"' in profile

    page = client.get("/profile/leave").get_data(as_text=True)
    assert "Leave Walton Momentum?" in page
    assert "Name, e-mail, phone, ward, union, workplace and notes" in page  # erasure summary
    assert "Erased member #" in page and "Their sign-in account (no other group uses it)" in page
    assert "Leave the group and erase my data" in page

    done = client.post_form("/profile/leave", {})
    assert done.status_code == 200
    assert "You have left Walton Momentum" in done.get_data(as_text=True)
    assert "You are signed out" in done.get_data(as_text=True)
    gone = db.session.get(Member, ann.id)
    assert gone.erased_at is not None and gone.name == f"Erased member #{ann.id}"
    assert gone.email is None and gone.phone is None
    assert db.session.scalar(select(Account).where(Account.email == "ann@example.org")) is None
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "leave-group"))
    assert entry is not None and "Ann" not in entry.actor_label
    assert client.get("/profile").status_code == 302  # no longer signed in


def test_an_account_used_by_another_group_stays(app, group, officer, make_member, make_group):
    other = make_group("Bootle", slug="bootle", url="http://bootle.test")
    make_member(other, "officer")
    ann = make_member(group, email="ann@example.org", name="Ann")
    elsewhere = make_member(other, email="ann@example.org", name="Ann")
    client = app.test_client()
    client.sign_in(ann.email)
    assert "other groups on this install still refer to it" in client.get(
        "/profile/leave"
    ).get_data(as_text=True)
    done = client.post_form("/profile/leave", {}).get_data(as_text=True)
    assert "Your sign-in account stays" in done
    assert db.session.get(Member, ann.id).erased_at is not None
    kept = db.session.get(Member, elsewhere.id)
    assert kept.erased_at is None and kept.account_id is not None
    assert client.get("/profile").status_code in (302, 403, 404)  # not a member here any more
    bootle = app.test_client()
    bootle.sign_in("ann@example.org", base_url="http://bootle.test")
    assert bootle.get("/profile", base_url="http://bootle.test").status_code == 200


def test_the_last_active_officer_cannot_leave(app, group, officer):
    client = app.test_client()
    client.sign_in(officer.email)
    page = client.get("/profile/leave").get_data(as_text=True)
    assert "only active officer" in page and "Leave the group and erase my data" not in page
    token = client.csrf_token("/profile")
    refused = client.post("/profile/leave", data={"csrf_token": token}, follow_redirects=True)
    assert "make another member an officer" in refused.get_data(as_text=True)
    assert db.session.get(Member, officer.id).erased_at is None


def test_an_officer_can_leave_when_another_remains(app, group, officer, make_member):
    second = make_member(group, "officer", email="second@example.org")
    client = app.test_client()
    client.sign_in(second.email)
    assert client.post_form("/profile/leave", {}).status_code == 200
    assert db.session.get(Member, second.id).erased_at is not None
    assert db.session.get(Member, officer.id).erased_at is None


def test_leaving_needs_the_form_token(app, group, officer, make_member):
    ann = make_member(group, email="ann@example.org")
    client = app.test_client()
    client.sign_in(ann.email)
    client.post("/profile/leave", data={})
    assert db.session.get(Member, ann.id).erased_at is None
    anonymous = app.test_client()
    assert anonymous.get("/profile/leave").status_code == 302
