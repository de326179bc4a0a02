"""Newsletters through the web and the worker, read back from a real SMTP sink."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest
from sqlalchemy import select

from node import scheduler, signals
from node.audit import AuditEntry
from node.extensions import db
from node.members.models import Member


@pytest.fixture
def organiser_client(app, group, officer, make_member):  # type: ignore[no-untyped-def]
    organiser = make_member(group, "organiser", email="org@walton.example.org", name="Orla")
    client = app.test_client()
    client.sign_in(organiser.email)
    return client


def _people(group: Any, make_member: Any) -> dict[str, Member]:
    """Ward A: two who agreed, one who did not, one without an address; ward B: one."""
    people = {
        "ann": make_member(group, email="ann@example.org", name="Ann", ward="A", account=False),
        "bob": make_member(group, email="bob@example.org", name="Bob", ward="A"),
        "cat": make_member(
            group, email="cat@example.org", name="Cat", ward="A", consent_email=False
        ),
        "dan": make_member(group, email="dan@example.org", name="Dan", ward="A", account=False),
        "eve": make_member(group, email="eve@example.org", name="Eve", ward="B"),
    }
    people["dan"].email = None
    db.session.commit()
    return people


def _write(client: Any, segment: str, body: str = "Hello **comrades**.") -> int:
    r = client.post_form(
        "/newsletters/new",
        {"subject": "Ward news", "body": body, "segment": segment},
    )
    assert r.status_code == 302, r.get_data(as_text=True)
    return int(r.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _send(client: Any, newsletter_id: int) -> None:
    r = client.post_form(
        f"/newsletters/{newsletter_id}/send", {}, page=f"/newsletters/{newsletter_id}"
    )
    assert r.status_code == 302


def test_a_segment_send_reaches_exactly_its_consenting_members(
    app, group, make_member, organiser_client, smtp_sink
):
    _people(group, make_member)
    newsletter_id = _write(organiser_client, "ward:A")
    page = organiser_client.get(f"/newsletters/{newsletter_id}").get_data(as_text=True)
    assert "<strong>2</strong> member(s) will get" in page
    assert "2 member(s) left out" in page
    assert "Have not agreed to e-mails (1)" in page and "Cat" in page
    assert "No e-mail address (1)" in page and "Dan" in page
    assert "<strong>comrades</strong>" in page  # the rendered preview

    _send(organiser_client, newsletter_id)
    assert smtp_sink.recipients() == []  # the worker sends, not the request
    progress = organiser_client.get(f"/newsletters/{newsletter_id}")
    assert "0 sent, 0 failed, 2 still to send" in progress.get_data(as_text=True)
    assert progress.headers["Refresh"] == "10"

    assert scheduler.run_due_tasks()["newsletters.send"] == 2
    assert sorted(smtp_sink.recipients()) == ["ann@example.org", "bob@example.org"]
    message = smtp_sink.to("ann@example.org")[0]
    assert message["Subject"] == "Ward news"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Hello **comrades**." in plain and "/unsubscribe/" in plain
    assert "Hello <strong>comrades</strong>." in html and "/unsubscribe/" in html

    assert scheduler.run_due_tasks()["newsletters.send"] == 0  # nothing is sent twice
    assert len(smtp_sink.recipients()) == 2
    listing = organiser_client.get("/newsletters").get_data(as_text=True)
    assert "Ward news" in listing and "Ward or branch: A" in listing
    row = listing.split("Ward news", 1)[1].split("</tr>", 1)[0]
    assert '"State">sent</td>' in row and '"Sent">2</td>' in row and '"Failed">0</td>' in row
    shown = organiser_client.get(f"/newsletters/{newsletter_id}").get_data(as_text=True)
    assert "2 sent, 0 failed, 0 still to send" in shown
    assert "1 without e-mail consent, 1 without an address" in shown


def test_segments_by_attendance_enrolment_and_account(app, group, officer, make_member):
    from datetime import datetime

    from node.education.models import Enrolment, Programme
    from node.events.models import Event, Rsvp
    from node.newsletters import operations as ops

    people = _people(group, make_member)
    event = Event(
        group_id=group.id,
        title="AGM",
        starts_at=datetime(2020, 1, 1, 19),
        ends_at=datetime(2020, 1, 1, 21),
    )
    course = Programme(group_id=group.id, kind="course", title="Organising 101")
    db.session.add_all([event, course])
    db.session.flush()
    db.session.add_all(
        [
            Rsvp(
                group_id=group.id,
                event_id=event.id,
                member_id=people["ann"].id,
                status="going",
                attended=True,
            ),
            Rsvp(
                group_id=group.id,
                event_id=event.id,
                member_id=people["bob"].id,
                status="going",
                attended=False,
            ),
            Enrolment(group_id=group.id, programme_id=course.id, member_id=people["eve"].id),
        ]
    )
    db.session.commit()

    def names(choice: str) -> list[str]:
        kind, value = ops.parse_segment(group, choice)
        return [m.name for m in db.session.scalars(ops.segment_query(group, kind, value))]

    assert names(f"event:{event.id}") == ["Ann"]
    assert names(f"programme:{course.id}") == ["Eve"]
    assert names("no-account:") == ["Ann", "Dan"]
    assert names("role:officer") == ["Olive Officer"]
    choices = dict(ops.segment_choices(group))
    assert choices[f"event:{event.id}"].startswith("Attended: AGM")
    assert choices[f"programme:{course.id}"] == "Enrolled in: Organising 101"


def test_an_unknown_segment_is_refused(app, group, make_member, organiser_client):
    r = organiser_client.post_form(
        "/newsletters/new",
        {"subject": "x", "body": "y", "segment": "event:99999"},
        page="/newsletters/new",
    )
    assert r.status_code == 400 and "Not a valid choice" in r.get_data(as_text=True)


def _raw_header(message: email.message.EmailMessage, name: str) -> str:
    """The header exactly as it came over the wire (folding and encoded words kept)."""
    values = [v for k, v in message.raw_items() if k.lower() == name.lower()]
    assert len(values) == 1, values
    return values[0]


def _assert_rfc8058(message: email.message.EmailMessage, url: str) -> None:
    raw = _raw_header(message, "List-Unsubscribe")
    assert "\n" not in raw and "\r" not in raw, f"folded: {raw!r}"
    assert "=?" not in raw, f"RFC 2047-encoded: {raw!r}"
    assert raw == f"<{url}>"
    assert _raw_header(message, "List-Unsubscribe-Post") == "List-Unsubscribe=One-Click"


def test_a_120_character_unsubscribe_url_stays_one_unencoded_line(
    app, make_group, make_member, smtp_sink
):
    from node.newsletters import operations as ops
    from node.organising.messaging import unsubscribe_url

    group = make_group("Long", slug="long", url="https://x.example.org")
    officer = make_member(group, "officer", email="o@example.org")
    member = make_member(group, email="m@example.org")
    path_length = len(unsubscribe_url(group, member)) - len("https://x.example.org")
    host = "a" * (120 - path_length - len("https://.example.org")) + ".example.org"
    group.url = f"https://{host}"
    db.session.commit()
    url = unsubscribe_url(group, member)
    assert len(url) == 120

    newsletter = ops.save_draft(group, {"subject": "S", "body": "B", "segment": "all:"}, officer)
    ops.queue(newsletter, officer)
    db.session.commit()
    ops.send_due()
    message = smtp_sink.to("m@example.org")[0]
    _assert_rfc8058(message, url)
    assert message["List-Unsubscribe"] == f"<{url}>"  # and as a reader decodes it


def test_the_header_check_catches_a_folded_or_encoded_header():
    """The assertion above can fail: Python's stock policy encodes this very header."""
    from email.message import EmailMessage

    url = "https://" + "a" * 90 + ".example.org/unsubscribe/token"
    stock = EmailMessage(policy=email.policy.SMTP)
    stock["List-Unsubscribe"] = f"<{url}>"
    stock["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    parsed = email.message_from_bytes(stock.as_bytes(), policy=email.policy.default)
    with pytest.raises(AssertionError):
        _assert_rfc8058(parsed, url)


def test_one_click_post_unsubscribes_and_get_asks_first(app, group, officer, make_member):
    from node.organising.messaging import unsubscribe_url

    member = make_member(group, email="ann@example.org", name="Ann")
    path = unsubscribe_url(group, member).removeprefix("http://localhost")
    client = app.test_client()
    page = client.get(path)  # a mail scanner's GET changes nothing
    assert page.status_code == 200 and "<button" in page.get_data(as_text=True)
    assert db.session.get(Member, member.id).consent_email is True

    r = client.post(
        path, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert r.status_code == 200
    assert db.session.get(Member, member.id).consent_email is False
    logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "unsubscribe"))
    assert [e.target for e in logged] == [f"member #{member.id}"]
    assert client.post(path[:-3] + "abc").status_code == 404


def test_an_unsubscribe_before_its_turn_is_respected(app, group, officer, make_member, smtp_sink):
    from node.newsletters import operations as ops

    ann = make_member(group, email="ann@example.org")
    make_member(group, email="bob@example.org")
    newsletter = ops.save_draft(group, {"subject": "S", "body": "B", "segment": "all:"}, officer)
    ops.queue(newsletter, officer)
    ann.consent_email = False
    db.session.commit()
    ops.send_due()
    assert "ann@example.org" not in smtp_sink.recipients()
    assert "bob@example.org" in smtp_sink.recipients()
    assert ops.progress(newsletter)["cancelled"] == 1


def test_html_is_sanitised(app, group, officer, make_member, smtp_sink):
    from node.newsletters import operations as ops

    make_member(group, email="ann@example.org")
    body = (
        "Hi <script>alert(1)</script> <img src=x onerror=alert(2)>\n\n"
        "[bad](javascript:alert(3)) [data](data:text/html;base64,PHNjcmlwdD4=) "
        "[good](https://example.org/a) <mailto:x@example.org>"
    )
    newsletter = ops.save_draft(group, {"subject": "S", "body": body, "segment": "all:"}, officer)
    ops.queue(newsletter, officer)
    db.session.commit()
    ops.send_due()
    html = smtp_sink.to("ann@example.org")[0].get_body(preferencelist=("html",)).get_content()
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert 'href="javascript' not in html and 'href="data' not in html
    assert '<a href="https://example.org/a" rel="nofollow noopener noreferrer">good</a>' in html
    assert '<a href="mailto:x@example.org" rel="nofollow noopener noreferrer">' in html


def test_one_failing_recipient_does_not_stop_the_rest(app, group, officer, make_member, smtp_sink):
    from node.newsletters import operations as ops
    from node.scheduler.models import TaskFailure

    make_member(group, email="ann@example.org", name="Ann")
    make_member(group, email="broken@@example.org", name="Broken")  # refused by node.mail
    make_member(group, email="cat@example.org", name="Cat")
    make_member(group, email="dan@example.org", name="Dan")
    newsletter = ops.save_draft(group, {"subject": "S", "body": "B", "segment": "all:"}, officer)
    ops.queue(newsletter, officer)
    db.session.commit()
    poisoned = db.session.scalar(select(Member.id).where(Member.email == "cat@example.org"))
    keys = {k.key: k.value for k in ops.due_items()}
    cat_key = next(k for k, rid in keys.items() if ops_member(rid) == poisoned)

    def poison(sender: object, *, task: str, key: str) -> None:
        if key == cat_key:
            raise RuntimeError("boom")

    with signals.item_starting.connected_to(poison, sender=app):
        ops.send_due()
    got = set(smtp_sink.recipients())
    assert {"ann@example.org", "dan@example.org", officer.email} <= got
    assert "cat@example.org" not in got and "broken@@example.org" not in got
    counts = ops.progress(newsletter)
    assert counts["failed"] == 1 and counts["pending"] == 1
    failure = db.session.scalar(select(TaskFailure).where(TaskFailure.key == cat_key))
    assert failure is not None and failure.group_id == group.id
    assert newsletter.state == "sending"

    from datetime import timedelta

    from node import clock

    with clock.frozen(clock.utcnow_naive() + timedelta(minutes=2)):
        ops.send_due()  # retried after its back-off
    assert "cat@example.org" in smtp_sink.recipients()
    db.session.expire_all()
    assert ops.progress(newsletter)["pending"] == 0
    assert db.session.get(type(newsletter), newsletter.id).state == "sent"


def ops_member(recipient_id: int) -> int | None:
    from node.newsletters.models import Recipient

    row = db.session.get(Recipient, recipient_id)
    return row.member_id if row else None


def test_a_plain_member_cannot_write_newsletters(app, group, officer, make_member):
    member = make_member(group, email="plain@example.org")
    client = app.test_client()
    client.sign_in(member.email)
    assert client.get("/newsletters").status_code in (403, 404)


def test_erasure_keeps_counts_but_not_the_person(app, group, officer, make_member, smtp_sink):
    from node.members import operations as members_ops
    from node.newsletters import operations as ops
    from node.newsletters.models import Recipient

    ann = make_member(group, email="ann@example.org")
    bob = make_member(group, email="bob@example.org")
    first = ops.save_draft(group, {"subject": "S1", "body": "B", "segment": "all:"}, officer)
    ops.queue(first, officer)
    db.session.commit()
    ops.send_due()
    second = ops.save_draft(group, {"subject": "S2", "body": "B", "segment": "all:"}, officer)
    ops.queue(second, officer)
    members_ops.erase_member(ann, officer)
    members_ops.erase_member(bob, officer)
    db.session.commit()
    assert (
        db.session.scalars(select(Recipient).where(Recipient.member_id.in_([ann.id, bob.id]))).all()
        == []
    )
    assert ops.progress(first)["sent"] == 3
    ops.send_due()
    assert ops.progress(second) == {"pending": 0, "sent": 1, "failed": 0, "cancelled": 2}


def test_drafts_can_change_and_go_but_a_sent_newsletter_cannot(
    app, group, make_member, organiser_client
):
    from node.newsletters.models import Newsletter

    make_member(group, email="ann@example.org")
    first = _write(organiser_client, "all:")
    r = organiser_client.post_form(
        f"/newsletters/{first}/edit",
        {"subject": "Better", "body": "Text", "segment": "role:member"},
    )
    assert r.status_code == 302
    changed = db.session.get(Newsletter, first)
    assert (changed.subject, changed.segment_label) == ("Better", "Role: member")
    organiser_client.post_form(f"/newsletters/{first}/delete", {}, page=f"/newsletters/{first}")
    assert db.session.get(Newsletter, first) is None

    second = _write(organiser_client, "all:")
    _send(organiser_client, second)
    assert organiser_client.get(f"/newsletters/{second}/edit").status_code == 302
    organiser_client.post_form(f"/newsletters/{second}/delete", {}, page=f"/newsletters/{second}")
    assert db.session.get(Newsletter, second).state == "sending"
    again = organiser_client.post_form(
        f"/newsletters/{second}/send", {}, page=f"/newsletters/{second}"
    )
    assert again.status_code == 409 and "already being sent" in again.get_data(as_text=True)
    from node.newsletters.models import Recipient

    assert len(db.session.scalars(select(Recipient)).all()) == 3  # queued once, not twice
