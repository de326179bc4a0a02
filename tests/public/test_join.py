"""The join form at /join: a visitor asks, confirms by mail (real SMTP sink), an officer approves,
declines or merges, or the group accepts automatically. No duplicates, no enumeration, no robots."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.audit import AuditEntry
from node.extensions import db
from node.members.models import Member
from node.public.models import MembershipApplication, PublicProfile

LINK = re.compile(r"http://localhost(/join/confirm/[A-Za-z0-9_-]+)")
ROSA = "rosa.newcomer@example.org"


def form(email: str = ROSA, **extra: str) -> dict[str, str]:
    data = {
        "name": "Rosa Newcomer",
        "email": email,
        "ward": "Everton",
        "union": "Unite",
        "phone": "07700 900123",
        "consent_email": "y",
        "consent_phone": "y",
        "consent_data": "y",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v != ""}


def ask(client, data):  # type: ignore[no-untyped-def]
    return client.post_form("/join", data)


def link(smtp_sink, email: str = ROSA) -> str:
    paths = [p for m in smtp_sink.to(email) for p in LINK.findall(smtp_sink.body(m))]
    assert paths, "no confirmation link mailed"
    return paths[-1]


def confirm(client, path: str):  # type: ignore[no-untyped-def]
    return client.post_form(path, {}, page=path)


def members(email: str = ROSA) -> list[Member]:
    return list(db.session.scalars(select(Member).where(func.lower(Member.email) == email)))


def applications() -> list[MembershipApplication]:
    return list(db.session.scalars(select(MembershipApplication)))


def approve_the_request(app, officer) -> None:  # type: ignore[no-untyped-def]
    """``officer`` approves the one join request there is, from its page."""
    officer_client = app.test_client()
    officer_client.sign_in(officer.email)
    [item] = applications()
    page = f"/public/applications/{item.id}"
    officer_client.post_form(f"{page}/approve", {}, page=page)


def test_visitor_joins_confirms_and_an_officer_approves(app, group, officer, smtp_sink):
    visitor = app.test_client()
    page = visitor.get("/join").get_data(as_text=True)
    assert "special-category" in page and "Who sees it" in page
    answer = ask(visitor, form())
    assert answer.status_code == 302 and answer.location.endswith("/join/sent")
    assert "Check your e-mail" in visitor.get("/join/sent").get_data(as_text=True)
    [pending] = applications()
    assert pending.status == "unconfirmed" and members() == []
    path = link(smtp_sink)
    assert path.split("/")[-1] not in (pending.token_hash or "")  # only the hash is stored
    # Opening the link (as a mail scanner would) does not confirm; the button does.
    assert "Confirm my request" in visitor.get(path).get_data(as_text=True)
    assert applications()[0].status == "unconfirmed"
    done = confirm(visitor, path)
    assert done.status_code == 200 and "officers will look at it" in done.get_data(as_text=True)
    assert applications()[0].status == "pending"
    assert visitor.get(path).status_code == 404  # single use

    officer_client = app.test_client()
    officer_client.sign_in(officer.email)
    assert "1 join request waiting" in officer_client.get("/").get_data(as_text=True)
    queue = officer_client.get("/public/applications").get_data(as_text=True)
    assert "Rosa Newcomer" in queue
    detail = f"/public/applications/{pending.id}"
    approved = officer_client.post_form(f"{detail}/approve", {}, page=detail)
    assert approved.status_code == 302
    [member] = members()
    assert (member.name, member.ward, member.union, member.phone) == (
        "Rosa Newcomer",
        "Everton",
        "Unite",
        "07700 900123",
    )
    assert member.consent_email is True and member.consent_phone is True
    assert member.status == "active" and member.role == "member"
    assert "Rosa Newcomer" in officer_client.get("/members").get_data(as_text=True)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve-join"))
    assert entry.target == f"member #{member.id}" and "e-mail yes, phone yes" in entry.detail
    assert entry.actor_id == officer.id
    assert any("Welcome to" in m["Subject"] for m in smtp_sink.to(ROSA))


def test_consents_not_given_are_not_given(app, group, officer, smtp_sink):
    visitor = app.test_client()
    ask(visitor, form(consent_email="", consent_phone="", phone=""))
    confirm(visitor, link(smtp_sink))
    approve_the_request(app, officer)
    [member] = members()
    assert member.consent_email is False and member.consent_phone is False
    assert member.phone is None


def test_the_data_statement_must_be_ticked(app, group, smtp_sink):
    visitor = app.test_client()
    refused = ask(visitor, form(consent_data=""))
    assert refused.status_code == 400
    assert "Please tick this box" in refused.get_data(as_text=True)
    phone_without_number = ask(visitor, form(phone=""))
    assert phone_without_number.status_code == 400
    assert applications() == [] and smtp_sink.to(ROSA) == []


def test_a_second_submission_does_not_duplicate(app, group, officer, smtp_sink):
    visitor = app.test_client()
    ask(visitor, form())
    first = link(smtp_sink)
    clock.advance(timedelta(minutes=10))
    again = ask(visitor, form(name="Rosa N.", email=ROSA.upper()))
    assert again.status_code == 302 and again.location.endswith("/join/sent")
    [item] = applications()
    assert item.name == "Rosa N."
    second = link(smtp_sink)
    assert second != first
    assert visitor.get(first).status_code == 404  # the new link replaced the old one
    assert visitor.post_form(first, {}, page="/signin").status_code == 404
    confirm(visitor, second)
    # Confirmed and waiting: asking again neither adds a request nor resets the confirmed one.
    clock.advance(timedelta(minutes=10))
    ask(visitor, form())
    assert [a.status for a in applications()] == ["pending"]
    assert "is waiting" in smtp_sink.to(ROSA)[-1]["Subject"]
    officer_client = app.test_client()
    officer_client.sign_in(officer.email)
    page = f"/public/applications/{item.id}"
    officer_client.post_form(f"{page}/approve", {}, page=page)
    # Now a member: asking again adds nothing, and the answer page is the same.
    clock.advance(timedelta(minutes=10))
    answer = ask(app.test_client(), form())
    assert answer.status_code == 302 and answer.location.endswith("/join/sent")
    assert len(members()) == 1 and len(applications()) == 1
    assert "already a member" in smtp_sink.to(ROSA)[-1]["Subject"]


def test_the_answer_never_says_whether_the_address_is_a_member(app, group, make_member, smtp_sink):
    make_member(group, email="known@example.org", name="Known Person", account=False)
    answers = []
    for email in ("known@example.org", "stranger@example.org"):
        response = ask(app.test_client(), form(email=email))
        answers.append((response.status_code, response.location))
    assert answers[0] == answers[1]
    assert len(members("known@example.org")) == 1
    assert [a.email for a in applications()] == ["stranger@example.org"]


def test_a_filled_honeypot_stores_and_sends_nothing(app, group, smtp_sink):
    response = ask(app.test_client(), form(website="http://spam.example"))
    assert response.status_code == 302 and response.location.endswith("/join/sent")
    assert applications() == [] and smtp_sink.to(ROSA) == []
    # The same form without the honeypot is taken (so the test above could fail).
    ask(app.test_client(), form())
    assert len(applications()) == 1


def test_join_is_rate_limited(app, group, smtp_sink):
    app.config["SIGNIN_RATE_LIMIT"] = "3 per minute"
    visitor = app.test_client()
    codes = [ask(visitor, form(email=f"p{i}@example.org")).status_code for i in range(4)]
    assert codes == [302, 302, 302, 429]
    assert len(applications()) == 3


def test_a_link_expires_after_seven_days(app, group, smtp_sink):
    visitor = app.test_client()
    ask(visitor, form())
    path = link(smtp_sink)
    clock.advance(timedelta(days=7, minutes=1))
    assert visitor.get(path).status_code == 404
    assert "does not work any more" in visitor.get(path).get_data(as_text=True)
    ask(visitor, form(email="other@example.org"))  # expired requests are purged
    assert [a.email for a in applications()] == ["other@example.org"]


def test_auto_accept_makes_the_member_on_confirmation(app, group, smtp_sink):
    db.session.add(PublicProfile(group_id=group.id, auto_accept=True))
    db.session.commit()
    visitor = app.test_client()
    ask(visitor, form())
    assert members() == []
    done = confirm(visitor, link(smtp_sink))
    assert "Welcome to" in done.get_data(as_text=True)
    [member] = members()
    assert member.consent_email is True
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "approve-join"))
    assert entry.actor_id is None and "accepted automatically" in entry.detail


def test_decline_deletes_the_request(app, group, officer, smtp_sink):
    visitor = app.test_client()
    ask(visitor, form())
    confirm(visitor, link(smtp_sink))
    [item] = applications()
    officer_client = app.test_client()
    officer_client.sign_in(officer.email)
    page = f"/public/applications/{item.id}"
    assert officer_client.post_form(f"{page}/decline", {}, page=page).status_code == 302
    assert applications() == [] and members() == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "decline-join"))
    assert ROSA not in (entry.target or "") + (entry.detail or "")


def test_merge_into_the_member_with_the_same_address(app, group, officer, make_member, smtp_sink):
    visitor = app.test_client()
    ask(visitor, form())
    confirm(visitor, link(smtp_sink))
    # Meanwhile the officer imported her from the old spreadsheet, without ward or phone.
    existing = make_member(
        group, email=ROSA, name="Rosa Old", account=False, consent_email=False, ward=None
    )
    [item] = applications()
    officer_client = app.test_client()
    officer_client.sign_in(officer.email)
    page = f"/public/applications/{item.id}"
    assert "already on the roster" in officer_client.get(page).get_data(as_text=True)
    refused = officer_client.post_form(f"{page}/approve", {}, page=page, follow_redirects=True)
    assert "merge instead" in refused.get_data(as_text=True)
    assert len(members()) == 1
    merged = officer_client.post_form(f"{page}/merge", {"email": ROSA}, page=page)
    assert merged.status_code == 302
    [member] = members()
    assert member.id == existing.id and member.name == "Rosa Old"
    assert (member.ward, member.phone, member.consent_email) == ("Everton", "07700 900123", True)
    assert applications()[0].status == "merged"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "merge-join"))


@pytest.mark.parametrize("level", ["member", "organiser"])
def test_only_officers_see_the_queue(app, group, make_member, level):
    person = make_member(group, level)
    client = app.test_client()
    client.sign_in(person.email)
    assert client.get("/public/applications").status_code == 403
    assert client.get("/public/settings").status_code == 403


def test_a_closed_join_form_takes_nothing(app, group, smtp_sink):
    db.session.add(PublicProfile(group_id=group.id, join_open=False))
    db.session.commit()
    visitor = app.test_client()
    assert "not taking requests" in visitor.get("/join").get_data(as_text=True)
    visitor.post_form("/join", form(), page="/signin")
    assert applications() == []


def test_two_rows_for_one_address_are_refused_and_the_loser_gets_the_same_answer(
    app, group, monkeypatch, smtp_sink
):
    from sqlalchemy.exc import IntegrityError

    from node.public import operations as ops

    for _ in range(2):
        db.session.add(MembershipApplication(group_id=group.id, name="R", email=ROSA))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

    def raced(group, who):  # type: ignore[no-untyped-def]
        raise IntegrityError("INSERT", {}, Exception("unique"))

    monkeypatch.setattr(ops, "submit", raced)
    answer = ask(app.test_client(), form())
    assert answer.status_code == 302 and answer.location.endswith("/join/sent")


def test_erasing_a_member_deletes_their_join_request(app, group, officer, smtp_sink):
    from node.members.erasure import erase

    visitor = app.test_client()
    ask(visitor, form())
    confirm(visitor, link(smtp_sink))
    approve_the_request(app, officer)
    [member] = members()
    erase(member)
    db.session.commit()
    assert applications() == []
