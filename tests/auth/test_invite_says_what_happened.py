"""After an invitation the page says whether it was really e-mailed: not when mail is switched off
on this server, not when the mail server refused; and a bulk send is not queued with mail off."""

from __future__ import annotations

from sqlalchemy import func, select

from node.extensions import db


def _invite(client, email="new@example.org"):  # type: ignore[no-untyped-def]
    page = client.post_form("/members/invite", {"email": email, "role": "member"})
    assert page.status_code == 200, page.status_code
    return page.get_data(as_text=True)


def test_a_sent_invitation_says_so(officer_client, smtp_sink):  # type: ignore[no-untyped-def]
    text = _invite(officer_client)
    assert "We e-mailed an invitation to <strong>new@example.org</strong>" in text
    assert smtp_sink.recipients() == ["new@example.org"]


def test_mail_switched_off_is_said_not_hidden(app, officer_client, smtp_sink):  # type: ignore[no-untyped-def]
    app.config["MAIL_ENABLED"] = False
    text = _invite(officer_client)
    assert "We e-mailed" not in text
    assert "<strong>not e-mailed</strong>: mail is switched off on this server" in text
    assert "Pass on the link below yourself" in text and 'id="invitation-link"' in text
    assert smtp_sink.recipients() == []


def test_a_refused_send_is_said(app, officer_client, smtp_sink):  # type: ignore[no-untyped-def]
    app.config["SMTP_PORT"] = 1  # nothing listens: the connection is refused
    text = _invite(officer_client)
    assert "We e-mailed" not in text
    assert "<strong>not e-mailed</strong>: the mail server did not take it" in text


def test_invite_everyone_is_not_queued_with_mail_off(app, officer_client, group, make_member):  # type: ignore[no-untyped-def]
    from node.auth.models import InvitationRun

    make_member(group, account=False, email="roster@example.org")
    app.config["MAIL_ENABLED"] = False
    page = officer_client.get("/members/invite-everyone").get_data(as_text=True)
    assert "Invitations cannot be sent: mail is switched off on this server" in page
    assert "Send 1 invitation" not in page
    posted = officer_client.post_form("/members/invite-everyone", follow_redirects=True)
    said = posted.get_data(as_text=True)
    assert "Nothing was sent: mail is switched off on this server." in said
    assert "queued" not in said
    assert db.session.scalar(select(func.count()).select_from(InvitationRun)) == 0
