""" "Invite everyone without an account" (node.auth.bulk_invite): the preview and its skip
reasons, the worker's sends read from a real SMTP sink, progress, the send log, re-runs."""

from __future__ import annotations

import re

from sqlalchemy import select

from node import clock
from node.auth import bulk_invite
from node.auth import operations as auth_ops
from node.auth.models import InvitationRunItem
from node.extensions import db
from node.members.models import Account
from node.rooms import rooms_of

PAGE = "/members/invite-everyone"
BAD = "bad address@example.org"  # on the roster, but no mail server takes it


def _roster(group, make_member):  # type: ignore[no-untyped-def]
    people = {
        "ann": make_member(group, "member", email="ann@example.org", name="Ann", account=False),
        "bob": make_member(group, "member", email="bob@example.org", name="Bob", account=False),
        "bad": make_member(group, "member", email=BAD, name="Badly Typed", account=False),
        "nomail": make_member(group, "member", email=None, name="No Mail", account=False),
        "noconsent": make_member(
            group, "member", email="nc@example.org", name="Nora", consent_email=False, account=False
        ),
        "invited": make_member(group, "member", email="inv@example.org", name="Ivy", account=False),
        "erased": make_member(
            group, "member", email="gone@example.org", name="Gone", account=False
        ),
        "signed_up": make_member(group, "member", email="sam@example.org", name="Sam"),
    }
    auth_ops.create_invitation(group, "inv@example.org", send=False)
    people["nomail"].email = None  # the factory always gives an address
    erased = people["erased"]
    erased.email, erased.name, erased.erased_at = None, "Erased member", clock.utcnow_naive()
    db.session.commit()
    return people


def _run_path(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r"(/members/invite-everyone/\d+)$", response.headers["Location"]).group(1)


def test_preview_counts_and_says_who_is_skipped_and_why(officer_client, group, make_member):
    _roster(group, make_member)
    preview = bulk_invite.preview(group)
    assert sorted(m.name for m in preview.recipients) == ["Ann", "Badly Typed", "Bob"]
    assert {k: [m.name for m in v] for k, v in preview.skipped.items()} == {
        "no-address": ["No Mail"],
        "no-consent": ["Nora"],
        "invited": ["Ivy"],
        "queued": [],
    }
    assert preview.erased == 1
    page = officer_client.get(PAGE).get_data(as_text=True)
    assert "<strong>3</strong> member(s) will get an invitation" in page
    assert "Send 3 invitation(s)" in page
    assert "1 no e-mail address" in page and "No Mail" in page
    assert "1 has not agreed to e-mail" in page and "Nora" in page
    assert "1 already has an invitation that is still valid" in page and "Ivy" in page
    assert "1 erased from the roster" in page
    assert "Sam" not in page  # has an account: not a candidate at all


def test_worker_sends_with_progress_and_one_bad_address_does_not_stop_the_rest(
    app, officer_client, group, make_member, smtp_sink
):
    _roster(group, make_member)
    assert bulk_invite.TASK in {task.name for task in rooms_of(app).tasks}
    confirmed = officer_client.post_form(PAGE, {})
    assert confirmed.status_code == 302
    run_path = _run_path(confirmed)
    waiting = officer_client.get(run_path)
    assert "0 of 3</strong> done" in waiting.get_data(as_text=True)
    assert waiting.headers["Refresh"] == "10"
    assert smtp_sink.recipients() == []  # the worker sends, not the request

    assert bulk_invite.send_due() == 2
    assert sorted(smtp_sink.recipients()) == ["ann@example.org", "bob@example.org"]
    done = officer_client.get(run_path)
    text = done.get_data(as_text=True)
    assert "3 of 3</strong> done: 2 sent" in text and "1 failed" in text
    assert "Refresh" not in done.headers
    assert "bad address@example.org</a></td>" in text and "recipient is not one plain" in text
    sent = db.session.scalars(
        select(InvitationRunItem).where(InvitationRunItem.state == "sent")
    ).all()
    assert {i.email for i in sent} == {"ann@example.org", "bob@example.org"}
    assert all(i.sent_at is not None for i in sent)
    assert bulk_invite.send_due() == 0  # nothing is sent twice

    # The mailed link is the only one, and accepting it proves the address.
    [mail] = smtp_sink.to("ann@example.org")
    path = re.search(r"http://localhost(/invite/\S+)", smtp_sink.body(mail)).group(1)
    ann = app.test_client()
    new = {"name": "Ann", "password": "anns-password-1", "confirm": "anns-password-1"}
    assert ann.post_form(path, new).status_code == 302
    account = db.session.scalar(select(Account).where(Account.email == "ann@example.org"))
    assert account.email_verified_at is not None


def test_a_rerun_skips_live_invitations_and_retries_failures(
    officer_client, group, make_member, smtp_sink
):
    _roster(group, make_member)
    officer_client.post_form(PAGE, {})
    bulk_invite.send_due()
    preview = bulk_invite.preview(group)
    assert [m.name for m in preview.recipients] == ["Badly Typed"]  # its invitation was withdrawn
    assert sorted(m.name for m in preview.skipped["invited"]) == ["Ann", "Bob", "Ivy"]
    smtp_sink.clear()
    second = officer_client.post_form(PAGE, {})
    assert "0 of 1</strong> done" in officer_client.get(_run_path(second)).get_data(as_text=True)
    bulk_invite.send_due()
    assert smtp_sink.recipients() == []  # Ann and Bob are not mailed again (Bad fails again)
    page = officer_client.get(PAGE).get_data(as_text=True)
    assert page.count("/members/invite-everyone/") == 2  # both runs in the list


def test_a_queued_member_who_signs_up_meanwhile_is_skipped(
    officer_client, group, make_member, smtp_sink
):
    people = _roster(group, make_member)
    officer_client.post_form(PAGE, {})
    assert [m.name for m in bulk_invite.preview(group).skipped["queued"]] == [
        "Ann",
        "Badly Typed",
        "Bob",
    ]
    account = Account(email="bob@example.org")
    db.session.add(account)
    db.session.flush()
    people["bob"].account_id = account.id
    db.session.commit()
    bulk_invite.send_due()
    assert "bob@example.org" not in smtp_sink.recipients()
    bob = db.session.scalar(
        select(InvitationRunItem).where(InvitationRunItem.email == "bob@example.org")
    )
    assert (bob.state, bob.error) == ("skipped", "has an account now")


def test_nobody_to_invite_is_said_plainly(officer_client, group):
    response = officer_client.post_form(PAGE, {})
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)
    page = officer_client.get(PAGE).get_data(as_text=True)
    assert "Nobody to invite" in page


def test_only_officers_reach_the_page(client, group, make_member):
    organiser = make_member(group, "organiser")
    client.sign_in(organiser.email)
    assert client.get(PAGE).status_code == 403
