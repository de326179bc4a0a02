"""Invitations, sign-in, sign-out and password reset, with mail through a real SMTP sink."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.audit import AuditEntry
from node.extensions import db
from node.mail import MailLog
from node.members.models import Member
from tests.support.fixtures import PASSWORD

LINK = re.compile(r"http://localhost(/\S+)")


def invite(officer_client, email="rosa@example.org", role="member"):
    response = officer_client.post_form("/members/invite", {"email": email, "role": role})
    assert response.status_code == 200
    return response


def link_from_mail(smtp_sink, email):
    [message] = smtp_sink.to(email)
    return LINK.search(smtp_sink.body(message)).group(1)


def accept(client, path, name="Rosa Luxton", password="rosa-strong-password"):
    return client.post_form(path, {"name": name, "password": password, "confirm": password})


def test_invitation_is_mailed_single_use_and_creates_the_member(app, officer_client, smtp_sink):
    invite(officer_client, role="organiser")
    path = link_from_mail(smtp_sink, "rosa@example.org")
    newcomer = app.test_client()
    response = accept(newcomer, path)
    assert response.status_code == 302
    assert "Rosa Luxton" in newcomer.get("/").get_data(as_text=True)
    member = db.session.scalar(select(Member).where(Member.email == "rosa@example.org"))
    assert member.role == "organiser" and member.account_id is not None
    again = app.test_client().get(path)
    assert again.status_code == 404
    assert "already been used" in again.get_data(as_text=True)
    log = db.session.scalars(select(MailLog).where(MailLog.recipient == "rosa@example.org")).all()
    assert [entry.status for entry in log] == ["sent"]
    actions = set(db.session.scalars(select(AuditEntry.action)))
    assert {"invite", "accept-invitation"} <= actions


def test_expired_invitation_is_refused(app, officer_client, smtp_sink):
    invite(officer_client)
    path = link_from_mail(smtp_sink, "rosa@example.org")
    clock.advance(timedelta(days=15))
    response = app.test_client().get(path)
    assert response.status_code == 404
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(select(Member).where(Member.email == "rosa@example.org")) is None


def test_weak_password_is_refused_and_nothing_stored(app, officer_client, smtp_sink):
    invite(officer_client)
    path = link_from_mail(smtp_sink, "rosa@example.org")
    response = accept(app.test_client(), path, password="short")
    assert response.status_code == 400
    assert "at least 10 characters" in response.get_data(as_text=True)
    assert db.session.scalar(select(Member).where(Member.email == "rosa@example.org")) is None


def test_wrong_password_and_unknown_email_get_the_same_answer(client, officer):
    wrong = client.post_form("/signin", {"email": officer.email, "password": "not-the-password"})
    unknown = client.post_form("/signin", {"email": "nobody@example.org", "password": "whatever-x"})
    assert wrong.status_code == unknown.status_code == 401
    assert "E-mail or password is wrong." in wrong.get_data(as_text=True)
    assert "E-mail or password is wrong." in unknown.get_data(as_text=True)


def test_signin_is_rate_limited(client, officer):
    statuses = [
        client.post_form(
            "/signin", {"email": officer.email, "password": "bad-password"}
        ).status_code
        for _ in range(11)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10] == 429


def test_sign_out_needs_csrf_and_ends_the_session(officer_client):
    assert officer_client.get("/members").status_code == 200
    officer_client.post("/signout")  # no CSRF token: refused, still signed in
    assert officer_client.get("/members").status_code == 200
    officer_client.post_form("/signout", page="/")
    response = officer_client.get("/members")
    assert response.status_code == 302 and "/signin" in response.location


def test_next_parameter_cannot_redirect_off_site(client, officer):
    response = client.post_form(
        "/signin?next=//evil.example/x",
        {"email": officer.email, "password": PASSWORD},
        page="/signin",
    )
    assert response.status_code == 302
    assert response.location == "/"
    response = client.get("/members/invite")
    assert response.status_code == 200


def test_password_reset_by_email(app, client, officer, smtp_sink):
    client.post_form("/reset", {"email": officer.email})
    client.post_form("/reset", {"email": "nobody@example.org"}, page="/reset")
    assert smtp_sink.recipients() == [officer.email]
    path = link_from_mail(smtp_sink, officer.email)
    other_session = app.test_client()
    other_session.sign_in(officer.email)
    response = client.post_form(
        path, {"password": "a-brand-new-password", "confirm": "a-brand-new-password"}
    )
    assert response.status_code == 302
    # The old session was signed out by the change; the new password works, the old one not.
    assert other_session.get("/members").status_code == 302
    fresh = app.test_client()
    assert (
        fresh.post_form("/signin", {"email": officer.email, "password": PASSWORD}).status_code
        == 401
    )
    fresh.sign_in(officer.email, "a-brand-new-password")
    reused = app.test_client().post_form(
        path, {"password": "another-password-1", "confirm": "another-password-1"}
    )
    assert "not valid" in reused.get_data(as_text=True)


def test_mail_failure_is_logged_not_hidden(app, officer_client, smtp_sink):
    app.config["SMTP_PORT"] = 1  # nothing listens there
    response = invite(officer_client, email="lost@example.org")
    assert "/invite/" in response.get_data(as_text=True)  # the officer still gets the link
    entry = db.session.scalar(select(MailLog).where(MailLog.recipient == "lost@example.org"))
    assert entry.status == "failed" and "cannot connect" in entry.error
