"""Roster, member pages, officer edits, lapse, erasure and the member's own data."""

from __future__ import annotations

import json

from sqlalchemy import select

from node.audit import AuditEntry
from node.extensions import db
from node.members.models import Member


def test_roster_filters_search_and_paginates(officer_client, group, make_member):
    for n in range(30):
        make_member(
            group,
            "member",
            email=f"m{n:02d}@example.org",
            name=f"Member {n:02d}",
            union="Unite" if n % 3 == 0 else None,
            ward="Anfield" if n % 2 else "County",
            account=False,
        )
    first = officer_client.get("/members").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Member 00" in first and "Member 29" not in first
    second = officer_client.get("/members?page=2").get_data(as_text=True)
    assert "Member 29" in second
    unite = officer_client.get("/members?union=Unite").get_data(as_text=True)
    assert unite.count("Member ") == 10
    not_in_union = officer_client.get("/members?union=-&ward=Anfield").get_data(as_text=True)
    assert "Member 01" in not_in_union and "Member 03" not in not_in_union
    search = officer_client.get("/members?q=member%2007").get_data(as_text=True)
    assert "Member 07" in search and "Member 08" not in search
    empty = officer_client.get("/members?q=nobody-matches").get_data(as_text=True)
    assert "No members match" in empty


def test_officer_edits_lapses_and_audit_records_field_names_only(
    officer_client, group, make_member
):
    member = make_member(group, "member", name="Kofi Kaur", email="kofi@example.org")
    response = officer_client.post_form(
        f"/members/{member.id}/edit",
        {
            "name": "Kofi Kaur",
            "email": "kofi@example.org",
            "phone": "07700 900123",
            "ward": "Everton",
            "union": "RMT",
            "workplace": "Merseyrail",
            "joined_on": "2020-01-02",
            "status": "active",
            "role": "organiser",
            "notes": "Good at phone banking",
            "consent_email": "y",
        },
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.union, member.role, member.notes) == (
        "RMT",
        "organiser",
        "Good at phone banking",
    )
    officer_client.post_form(f"/members/{member.id}/lapse", page=f"/members/{member.id}")
    db.session.refresh(member)
    assert member.status == "lapsed"
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.target == f"member #{member.id}")
    ).all()
    assert [e.action for e in entries] == ["edit-member", "lapse-member"]
    assert "RMT" not in (entries[0].detail or "") and "union" in entries[0].detail


def test_email_clash_is_refused_without_change(officer_client, group, make_member):
    a = make_member(group, email="a@example.org", name="A")
    make_member(group, email="b@example.org", name="B")
    response = officer_client.post_form(
        f"/members/{a.id}/edit",
        {
            "name": "A",
            "email": "b@example.org",
            "joined_on": "2020-01-02",
            "status": "active",
            "role": "member",
        },
    )
    assert "already has the e-mail" in response.get_data(as_text=True)
    db.session.refresh(a)
    assert a.email == "a@example.org"


def test_last_officer_cannot_step_down(officer_client, officer):
    response = officer_client.post_form(
        f"/members/{officer.id}/edit",
        {
            "name": officer.name,
            "email": officer.email,
            "joined_on": "2020-01-02",
            "status": "active",
            "role": "member",
        },
    )
    assert "at least one active officer" in response.get_data(as_text=True)
    db.session.refresh(officer)
    assert officer.role == "officer"


def test_erasure_removes_personal_data_but_keeps_the_row(officer_client, group, make_member):
    member = make_member(
        group,
        "member",
        name="Priya Patel",
        email="priya@example.org",
        phone="07700900999",
        union="NEU",
        workplace="St Francis",
        notes="x",
    )
    response = officer_client.post_form(f"/members/{member.id}/erase")
    assert response.status_code == 302
    db.session.refresh(member)
    assert member.erased_at is not None
    assert (member.email, member.phone, member.union, member.workplace, member.notes) == (None,) * 5
    assert member.account_id is None and "Priya" not in member.name
    roster = officer_client.get("/members").get_data(as_text=True)
    assert "Priya" not in roster
    assert officer_client.get(f"/members/{member.id}").status_code == 404
    export = officer_client.get("/members/export.csv").get_data(as_text=True)
    assert "priya" not in export.lower()
    # The erased person can no longer use the group.
    assert db.session.scalar(select(Member).where(Member.email == "priya@example.org")) is None


def test_member_edits_own_profile_and_downloads_their_data(app, group, make_member):
    member = make_member(group, "member", name="Jas Singh", email="jas@example.org", union="GMB")
    client = app.test_client()
    client.sign_in("jas@example.org")
    response = client.post_form(
        "/profile",
        {
            "name": "Jas Singh",
            "union": "Unite",
            "ward": "Kirkdale",
            "workplace": "",
            "phone": "",
            "consent_email": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(member)
    assert (member.union, member.ward, member.consent_email) == ("Unite", "Kirkdale", False)
    data = client.get("/profile/data.json")
    assert data.headers["Content-Disposition"].startswith("attachment")
    body = json.loads(data.get_data(as_text=True))
    assert body["member"]["email"] == "jas@example.org"
    assert body["member"]["union"] == "Unite"
    assert body["group"]["name"] == group.name
    # A member cannot change their own role through the profile form.
    client.post_form("/profile", {"name": "Jas Singh", "role": "officer"})
    db.session.refresh(member)
    assert member.role == "member"


def test_plain_member_cannot_see_the_roster(app, group, make_member):
    make_member(group, "member", email="plain@example.org")
    client = app.test_client()
    client.sign_in("plain@example.org")
    assert client.get("/members").status_code == 403
    assert client.get("/members/export.csv").status_code == 403
