"""Cancelling a ballot through the web: a confirmation page with a reason, then a terminal state
whose papers are destroyed uncounted, an audit entry, and mail to the electors only if sent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from node import clock
from node.extensions import db
from tests.ballots.helpers import make_ballot


def _papers(ballot) -> int:  # type: ignore[no-untyped-def]
    from node.ballots.models import CastBallot

    return db.session.scalar(
        select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == ballot.id)
    )


def _open_with_a_vote(group, officer, voter):  # type: ignore[no-untyped-def]
    from node.ballots.voting import cast_vote

    ballot = make_ballot(group, officer, open_it=True)
    cast_vote(ballot, voter, [0, 1])
    db.session.commit()
    return ballot


def test_an_officer_cancels_an_open_ballot_after_a_confirmation(
    officer_client, group, officer, make_member, smtp_sink
):
    from node.audit import AuditEntry
    from node.ballots.scheduling import run_due

    voter = make_member(group, email="voter@walton.example.org")
    ballot = _open_with_a_vote(group, officer, voter)
    smtp_sink.clear()
    path = f"/ballots/{ballot.id}/cancel"
    assert f'href="{path}"' in officer_client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    page = officer_client.get(path).get_data(as_text=True)
    assert 'id="confirm-papers">1<' in page and "cannot be undone" in page

    no_reason = officer_client.post_form(path, {"confirm": "yes", "reason": "  "})
    assert no_reason.status_code == 400
    assert 'href="#reason"' in no_reason.get_data(as_text=True)
    assert 'aria-invalid="true"' in no_reason.get_data(as_text=True)
    db.session.refresh(ballot)
    assert ballot.state == "open" and _papers(ballot) == 1

    done = officer_client.post_form(path, {"confirm": "yes", "reason": "Wrong candidates listed"})
    assert done.status_code == 302
    db.session.refresh(ballot)
    assert ballot.state == "cancelled" and ballot.result is None and _papers(ballot) == 0
    said = officer_client.get(done.location).get_data(as_text=True)
    assert "No paper will be counted. 2 electors e-mailed." in said
    assert set(smtp_sink.recipients()) == {officer.email, voter.email}
    assert all("Wrong candidates listed" in smtp_sink.body(m) for _, m in smtp_sink.messages)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "cancel-ballot"))
    assert entry.actor_id == officer.id and "Wrong candidates listed" in entry.detail

    # Terminal: never closed, counted or published; nothing else can be done with it.
    with clock.frozen(ballot.closes_at + timedelta(minutes=1)):
        run_due()
    db.session.refresh(ballot)
    assert ballot.state == "cancelled" and ballot.blt is None
    for sub in ("result", "papers", "ballots.blt", "result.json"):
        assert officer_client.get(f"/ballots/{ballot.id}/{sub}").status_code == 404
    assert officer_client.get(path).status_code == 409
    again = officer_client.post_form(path, {"confirm": "yes", "reason": "x"}, page="/ballots")
    assert again.status_code == 409
    for action in ("open-now", "schedule", "publish"):
        officer_client.post_form(f"/ballots/{ballot.id}/{action}", {"confirm": "yes"}, page="/")
        db.session.refresh(ballot)
        assert ballot.state == "cancelled", action


def test_with_mail_switched_off_the_page_says_nobody_was_emailed(
    app, officer_client, group, officer, make_member, smtp_sink
):
    ballot = make_ballot(group, officer, open_it=True)
    app.config["MAIL_ENABLED"] = False
    path = f"/ballots/{ballot.id}/cancel"
    assert "mail is switched off" in officer_client.get(path).get_data(as_text=True)
    done = officer_client.post_form(path, {"confirm": "yes", "reason": "Called off"})
    said = officer_client.get(done.location).get_data(as_text=True)
    assert "Nobody was e-mailed: mail is switched off" in said and "electors e-mailed" not in said


def test_a_draft_can_be_withdrawn_without_mail(officer_client, group, officer, smtp_sink):
    ballot = make_ballot(group, officer)
    path = f"/ballots/{ballot.id}/cancel"
    done = officer_client.post_form(path, {"confirm": "yes", "reason": "Duplicate"})
    assert done.status_code == 302
    db.session.refresh(ballot)
    assert ballot.state == "cancelled" and smtp_sink.messages == []
    assert officer_client.get(f"/ballots/{ballot.id}/edit").status_code == 409


def test_members_and_other_groups_cannot_cancel(client, group, officer, make_member, make_group):
    voter = make_member(group, email="voter@walton.example.org")
    ballot = _open_with_a_vote(group, officer, voter)
    path = f"/ballots/{ballot.id}/cancel"
    client.sign_in(voter.email)
    assert client.get(path).status_code == 403
    token = client.csrf_token(f"/ballots/{ballot.id}")
    refused = client.post(path, data={"csrf_token": token, "confirm": "yes", "reason": "no"})
    assert refused.status_code == 403

    other = make_group("Bootle", slug="bootle")
    other_officer = make_member(other, "officer", email="officer@bootle.example.org")
    bootle = client.application.test_client()
    bootle.sign_in(other_officer.email, base_url="http://bootle.test")
    assert bootle.get(path, base_url="http://bootle.test").status_code == 404
    token = bootle.csrf_token("/ballots", base_url="http://bootle.test")
    refused = bootle.post(
        path,
        data={"csrf_token": token, "confirm": "yes", "reason": "no"},
        base_url="http://bootle.test",
    )
    assert refused.status_code == 404
    db.session.refresh(ballot)
    assert ballot.state == "open" and _papers(ballot) == 1
