"""Issue 19's acceptance test for motions, end to end: a motion to endorse a campaign, two
amendments (one accepted as friendly by the mover, one voted down in its own ballot), the motion
passed with a quorum, and the endorsement signed and received by a following peer."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from node import clock, scheduler
from node.extensions import db
from tests.peering.conftest import WALTON, fingerprint

BASE = "We back the campaign to save the library and ask the council to keep it open."
FRIENDLY = (
    "We back the campaign to save the library and ask the council to keep it open and staffed."
)
HOSTILE = "We note the campaign to save the library and ask the council to keep it open."


def _site(app, email):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.sign_in(email, base_url=WALTON)
    return client


def _post(client, path, data, page=None):  # type: ignore[no-untyped-def]
    return client.post_form(path, data, page=page or path, base_url=WALTON)


def test_motion_with_amendments_passes_and_its_endorsement_reaches_a_peer(
    app, wsgi, walton, shepperton, make_member
):  # type: ignore[no-untyped-def]
    from node.ballots.models import Ballot
    from node.ballots.voting import cast_vote
    from node.campaigns import operations as campaigns
    from node.motions.models import Motion
    from node.peering import worker
    from node.peering.following import follow_peer
    from node.peering.models import Delivery, Statement

    preview = follow_peer(shepperton, WALTON, fingerprint(walton))
    db.session.commit()
    assert preview.pinned
    officer = make_member(walton, "officer", email="officer@walton.example.org")
    mover, ann, bob, cat = (
        make_member(walton, email=f"{n}@walton.example.org", name=n.title())
        for n in ("mover", "ann", "bob", "cat")
    )
    campaign = campaigns.create_campaign(
        walton, {"title": "Save the library", "summary": "Keep it open"}, officer
    )
    db.session.commit()

    # Proposed with the campaign it would endorse; two seconders (the default) bring it on.
    as_mover = _site(app, mover.email)
    made = _post(
        as_mover,
        "/motions/new",
        {"title": "Back the library", "text": BASE, "campaign_id": str(campaign.id)},
    )
    assert made.status_code == 302, made.get_data(as_text=True)
    motion = db.session.scalar(select(Motion))
    page = f"/motions/{motion.id}"
    assert motion.state == "proposed" and motion.campaign_id == campaign.id
    as_ann, as_bob = _site(app, ann.email), _site(app, bob.email)
    assert _post(as_ann, f"{page}/second", {}, page).status_code == 302
    assert db.session.get(Motion, motion.id).state == "proposed"
    assert _post(as_bob, f"{page}/second", {}, page).status_code == 302
    assert db.session.get(Motion, motion.id).state == "agenda"

    # Two amendments; the page shows each as a diff, escaped.
    new = f"{page}/amendments/new"
    assert _post(as_ann, new, {"text": FRIENDLY, "reason": "Staff it"}).status_code == 302
    assert _post(as_bob, new, {"text": HOSTILE}).status_code == 302
    shown = as_mover.get(page, base_url=WALTON).get_data(as_text=True)
    assert "staffed.</ins>" in shown
    assert "<del>back</del><ins>note</ins>" in shown
    friendly, hostile = db.session.get(Motion, motion.id).amendments

    # Only the mover accepts as friendly; the text changes at once.
    assert _post(as_ann, f"{page}/amendments/{friendly.id}/accept", {}, page).status_code == 403
    assert _post(as_mover, f"{page}/amendments/{friendly.id}/accept", {}, page).status_code == 302
    assert db.session.get(Motion, motion.id).text == FRIENDLY

    # The officer puts it to the vote: the remaining amendment's ballot opens first.
    as_officer = _site(app, officer.email)
    start = clock.utcnow_naive()
    put = _post(as_officer, f"{page}/vote", {"days": "2", "quorum": "4"})
    assert put.status_code == 302, put.get_data(as_text=True)
    db.session.expire_all()
    hostile_ballot = db.session.get(Ballot, db.session.get(type(hostile), hostile.id).ballot_id)
    assert hostile_ballot.state == "open" and hostile_ballot.method == "motion"
    assert db.session.get(Motion, motion.id).final_ballot_id is None
    for member, choice in ((mover, 1), (ann, 1), (bob, 0), (cat, 1)):
        cast_vote(hostile_ballot, member, [choice])
    db.session.commit()

    # It closes; the worker counts it (lost) and opens the motion's own ballot.
    with clock.frozen(start + timedelta(days=2, minutes=1)):
        scheduler.run_due_tasks()
    db.session.expire_all()
    motion = db.session.get(Motion, motion.id)
    assert [a.state for a in motion.amendments] == ["accepted", "lost"]
    final = db.session.get(Ballot, motion.final_ballot_id)
    assert final.state == "open" and final.kind == "endorsement" and final.quorum == 4
    assert FRIENDLY in final.question and final.campaign_id == campaign.id
    with clock.frozen(start + timedelta(days=2, minutes=5)):
        for member, choice in ((mover, 0), (ann, 0), (bob, 1), (cat, 0), (officer, 0)):
            cast_vote(final, member, [choice])
        db.session.commit()

    with clock.frozen(start + timedelta(days=4, minutes=2)):
        scheduler.run_due_tasks()
    db.session.expire_all()
    motion = db.session.get(Motion, motion.id)
    assert motion.state == "carried" and motion.decided_how == "ballot"
    assert motion.text == FRIENDLY and motion.endorsement_published
    final = db.session.get(Ballot, motion.final_ballot_id)
    assert final.result["quorum_met"] and final.turnout == 5
    (statement,) = db.session.scalars(
        select(Statement).where(Statement.group_id == walton.id, Statement.issuer == WALTON)
    ).all()
    assert statement.type == "campaign-endorsement"
    assert final.statement_ids == [statement.statement_id]

    # The worker pushes it to the follower, who verifies and keeps it.
    with clock.frozen(start + timedelta(days=4, minutes=3)):
        worker.deliver_due()
    db.session.expire_all()
    assert {d.state for d in db.session.scalars(select(Delivery))} == {"delivered"}
    held = db.session.scalar(
        select(Statement).where(Statement.group_id == shepperton.id, Statement.issuer == WALTON)
    )
    assert held is not None and held.statement_id == statement.statement_id
    assert held.verification == "verified"
