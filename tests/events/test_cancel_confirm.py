"""Cancelling an event mails everyone coming: a confirmation page first says who will be told,
and the message afterwards says only what happened (nothing, when mail is switched off)."""

from __future__ import annotations

from datetime import UTC, datetime

from node import clock
from tests.events.test_events import _event, _member_client

NOW = datetime(2030, 6, 10, 9, 0, tzinfo=UTC)


def _coming(app, group, make_member, event_id, n=2):  # type: ignore[no-untyped-def]
    members = [make_member(group) for _ in range(n)]
    for m in members:
        assert (
            _member_client(app, m)
            .post_form(f"/events/{event_id}/rsvp", page=f"/events/{event_id}")
            .status_code
            == 302
        )
    return members


def test_cancel_asks_first_then_mails_the_people_coming(app, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    from node.events.models import Event
    from node.extensions import db

    organiser = make_member(group, "organiser")
    org = _member_client(app, organiser)
    with clock.frozen(NOW):
        event_id = _event(org)
        show = org.get(f"/events/{event_id}").get_data(as_text=True)
        assert "Tue 11 Jun 2030, 19:00–21:00 (UK time)" in show  # summer: 18:00 UTC stored
        assert '<time datetime="2030-06-11T18:00Z">' in show
        assert f'href="/events/{event_id}/cancel"' in show  # a link to a page, not a POST button
        coming = _coming(app, group, make_member, event_id)
        no_consent = make_member(group, consent_email=False)
        _member_client(app, no_consent).post_form(
            f"/events/{event_id}/rsvp", page=f"/events/{event_id}"
        )
        smtp_sink.clear()

        page = org.get(f"/events/{event_id}/cancel")
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "This e-mails <strong>2 of the 3 people</strong>" in text
        assert "1 cannot be e-mailed" in text
        assert not db.session.get(Event, event_id).cancelled and smtp_sink.recipients() == []

        done = org.post_form(f"/events/{event_id}/cancel", follow_redirects=True)
        said = done.get_data(as_text=True)
        assert "The event is cancelled. 2 people e-mailed; 1 not e-mailed" in said
        assert sorted(smtp_sink.recipients()) == sorted(m.email for m in coming)
        mailed = smtp_sink.body(smtp_sink.to(coming[0].email)[0])
        assert "on Tue 11 Jun 2030, 19:00 (UK time) is cancelled" in mailed  # as the page says it
        db.session.expire_all()
        assert db.session.get(Event, event_id).cancelled

        smtp_sink.clear()
        again = org.post_form(
            f"/events/{event_id}/cancel", page=f"/events/{event_id}", follow_redirects=True
        )
        assert "already cancelled; nobody was e-mailed again" in again.get_data(as_text=True)
        assert smtp_sink.recipients() == []


def test_with_mail_switched_off_nobody_is_said_to_be_told(app, group, make_member, smtp_sink):  # type: ignore[no-untyped-def]
    organiser = make_member(group, "organiser")
    org = _member_client(app, organiser)
    with clock.frozen(NOW):
        event_id = _event(org)
        _coming(app, group, make_member, event_id)
        app.config["MAIL_ENABLED"] = False
        page = org.get(f"/events/{event_id}/cancel").get_data(as_text=True)
        assert "Nobody will be e-mailed: mail is switched off on this server" in page
        said = org.post_form(f"/events/{event_id}/cancel", follow_redirects=True).get_data(
            as_text=True
        )
    assert "Nobody was e-mailed: mail is switched off on this server" in said
    assert "everyone coming was told" not in said and "people e-mailed" not in said
    assert smtp_sink.recipients() == []


def test_a_member_cannot_cancel(app, group, make_member):  # type: ignore[no-untyped-def]
    org = _member_client(app, make_member(group, "organiser"))
    with clock.frozen(NOW):
        event_id = _event(org)
        member = _member_client(app, make_member(group))
        assert member.get(f"/events/{event_id}/cancel").status_code == 403
