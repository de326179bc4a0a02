"""Motions: seconding, the discussion (replies, edit window, moderation, safe text), amendment
diffs and merging, meeting decisions, erasure and the posting rate limit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from node import clock
from node.extensions import db

BASE = "We ask the council to keep the library open."


@pytest.fixture
def world(app, group, make_member):  # type: ignore[no-untyped-def]
    officer = make_member(group, "officer", email="officer@walton.example.org", name="Olive")
    mover = make_member(group, email="mover@walton.example.org", name="Mo Mover")
    ann = make_member(group, email="ann@walton.example.org", name="Ann")
    return group, officer, mover, ann


def _motion(group, mover, campaign_id=None):  # type: ignore[no-untyped-def]
    from node.motions import operations as ops

    motion = ops.propose(group, ops.Proposal("Library", BASE, campaign_id), mover)
    db.session.commit()
    return motion


def _signed_in(app, email):  # type: ignore[no-untyped-def]
    client = app.test_client()
    client.sign_in(email)
    return client


def test_seconders_set_by_the_group_bring_a_motion_to_the_agenda(world):  # type: ignore[no-untyped-def]
    from node.errors import Conflict, Forbidden, Invalid
    from node.motions import operations as ops

    group, officer, mover, ann = world
    assert ops.seconders_needed(group) == 2
    ops.set_seconders(group, 1, officer)
    motion = _motion(group, mover)
    with pytest.raises(Invalid, match="mover cannot"):
        ops.second(motion, mover)
    ops.second(motion, ann)
    assert motion.state == "agenda" and motion.on_agenda_at is not None
    with pytest.raises(Conflict):
        ops.second(motion, ann)
    with pytest.raises(Invalid):
        ops.set_seconders(group, 51, officer)
    ann.status = "lapsed"
    with pytest.raises(Forbidden, match="active members"):
        ops.post(motion, "I lapsed", ann)


def test_a_thread_with_replies_edit_window_and_moderation(app, world):  # type: ignore[no-untyped-def]
    from node.motions.models import Post

    group, officer, mover, ann = world
    motion = _motion(group, mover)
    page = f"/motions/{motion.id}"
    as_ann = _signed_in(app, ann.email)
    start = clock.utcnow_naive()
    with clock.frozen(start):
        sent = as_ann.post_form(
            f"{page}/posts", {"body": "First! <script>alert(1)</script> **bold**"}, page=page
        )
        assert sent.status_code == 302
        first = db.session.scalar(select(Post))
        reply_page = as_ann.get(f"{page}?reply={first.id}").get_data(as_text=True)
        assert f'id="reply-{first.id}"' in reply_page  # the reply form, without JavaScript
        as_ann.post_form(
            f"{page}/posts", {"body": "A reply", "parent_id": str(first.id)}, page=page
        )
        shown = as_ann.get(page).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in shown and "<strong>bold</strong>" in shown
    assert shown.index("First!") < shown.index("A reply") and "depth-1" in shown
    edit = f"{page}/posts/{first.id}/edit"
    with clock.frozen(start + timedelta(minutes=10)):
        assert as_ann.post_form(edit, {"body": "First, edited"}).status_code == 302
    with clock.frozen(start + timedelta(minutes=16)):
        late = as_ann.post_form(edit, {"body": "Too late"}, page=page)
        assert late.status_code == 409
    db.session.refresh(first)
    assert first.body == "First, edited" and first.edited_at is not None

    hide = f"{page}/posts/{first.id}/hide"
    assert as_ann.post_form(hide, {"reason": "x"}, page=page).status_code == 403
    as_officer = _signed_in(app, officer.email)
    assert as_officer.post_form(hide, {"reason": "Personal attack"}).status_code == 302
    shown = as_ann.get(page).get_data(as_text=True)
    assert "Hidden by an officer: Personal attack" in shown and "First, edited" not in shown
    unhide = f"{page}/posts/{first.id}/unhide"
    assert "Show it again" not in shown
    assert as_ann.post_form(unhide, {}, page=page).status_code == 403
    seen_by_officer = as_officer.get(page).get_data(as_text=True)
    assert (
        "The hidden text (officers only)" in seen_by_officer and "First, edited" in seen_by_officer
    )
    assert as_officer.post_form(unhide, {}, page=page).status_code == 302
    shown = as_ann.get(page).get_data(as_text=True)
    assert "Hidden by an officer" not in shown and "First, edited" in shown
    assert as_officer.post_form(unhide, {}, page=page).status_code == 409  # not hidden now
    from node.audit import AuditEntry

    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.group_id == group.id).order_by(AuditEntry.seq)
    ).all()
    assert actions[-2:] == ["hide-motion-post", "unhide-motion-post"]
    assert as_officer.post_form(hide, {"reason": "Personal attack"}).status_code == 302
    mover_client = _signed_in(app, mover.email)
    assert as_ann.post_form(edit, {"body": "x"}, page=page).status_code in (403, 409)
    assert mover_client.post_form(edit, {"body": "x"}, page=page).status_code == 403


def test_amendment_diff_is_escaped_and_merges_onto_a_changed_text(app, world):  # type: ignore[no-untyped-def]
    from node.errors import Conflict, Forbidden
    from node.motions import amending, diffs

    group, officer, mover, ann = world
    motion = _motion(group, mover)
    evil = amending.propose_amendment(motion, BASE.replace("library", "<b>library</b>"), None, ann)
    later = amending.propose_amendment(motion, BASE.replace("council", "mayor"), None, ann)
    clash = amending.propose_amendment(motion, BASE.replace("council", "cabinet"), None, ann)
    db.session.commit()
    shown = _signed_in(app, ann.email).get(f"/motions/{motion.id}").get_data(as_text=True)
    assert "<ins>&lt;b&gt;library&lt;/b&gt;</ins>" in shown and "<b>library</b>" not in shown

    with pytest.raises(Forbidden):
        amending.accept_friendly(later, motion, ann)
    amending.accept_friendly(later, motion, mover)
    assert motion.text == "We ask the mayor to keep the library open."
    with pytest.raises(Conflict, match="changed"):
        amending.accept_friendly(clash, motion, mover)  # "council" was rewritten already
    amending.accept_friendly(evil, motion, mover)  # elsewhere in the text: still applies
    assert motion.text == "We ask the mayor to keep the <b>library</b> open."
    assert diffs.apply("a b c", "a x c", "z a b c") == "z a x c"
    assert diffs.apply("a b c", "a x c", "a y c") is None


def test_a_meeting_decision_publishes_the_campaign_endorsement(app, world):  # type: ignore[no-untyped-def]
    from node.campaigns import operations as campaigns
    from node.motions.models import Motion
    from node.peering.models import Statement

    group, officer, mover, ann = world
    campaign = campaigns.create_campaign(group, {"title": "Library", "summary": "Open"}, officer)
    db.session.commit()
    motion = _motion(group, mover, campaign.id)
    as_officer = _signed_in(app, officer.email)
    path = f"/motions/{motion.id}/meeting"
    future = (clock.today() + timedelta(days=3)).isoformat()
    refused = as_officer.post_form(
        path, {"result": "carried", "meeting_date": future, "minute": "GM/1"}
    )
    assert refused.status_code == 400 and db.session.scalars(select(Statement)).all() == []
    assert (
        _signed_in(app, ann.email).post_form(path, {}, page=f"/motions/{motion.id}").status_code
        == 403
    )
    done = as_officer.post_form(
        path, {"result": "carried", "meeting_date": date.today().isoformat(), "minute": "GM/7"}
    )
    assert done.status_code == 302
    motion = db.session.get(Motion, motion.id)
    assert (motion.state, motion.decided_how, motion.minute) == ("carried", "meeting", "GM/7")
    (statement,) = db.session.scalars(select(Statement)).all()
    assert statement.type == "campaign-endorsement" and motion.endorsement_published


def test_erased_authors_show_as_a_former_member(app, world):  # type: ignore[no-untyped-def]
    from node.members import erasure
    from node.motions import operations as ops

    group, officer, mover, ann = world
    motion = _motion(group, mover)
    ops.second(motion, ann)
    ops.post(motion, "Ann's view stays", ann)
    db.session.commit()
    erasure.erase(ann)
    db.session.commit()
    shown = _signed_in(app, mover.email).get(f"/motions/{motion.id}").get_data(as_text=True)
    assert "Ann's view stays" in shown and "a former member" in shown
    assert ">Ann<" not in shown
    db.session.refresh(motion)
    assert motion.seconds == []


def test_posting_is_rate_limited_per_member(app, world):  # type: ignore[no-untyped-def]
    group, officer, mover, ann = world
    motion = _motion(group, mover)
    page = f"/motions/{motion.id}"
    client = _signed_in(app, ann.email)
    token = client.csrf_token(page)
    codes = [
        client.post(f"{page}/posts", data={"body": f"post {n}", "csrf_token": token}).status_code
        for n in range(21)
    ]
    assert codes[:20] == [302] * 20 and codes[20] == 429
    other = _signed_in(app, mover.email)  # another member is not held back
    assert other.post_form(f"{page}/posts", {"body": "mine"}, page=page).status_code == 302


def test_the_demo_seed_makes_a_discussed_motion_from_active_members(app, world, make_member):  # type: ignore[no-untyped-def]
    import random

    from node.motions.demo import seed
    from node.motions.models import Motion, Post

    group, officer, mover, ann = world
    lapsed = {
        make_member(group, email=f"m{n}@walton.example.org", status="lapsed").id for n in range(6)
    }
    make_member(group, email="cat@walton.example.org")
    make_member(group, email="dan@walton.example.org")
    seed(group, random.Random(1))
    db.session.commit()
    (motion,) = db.session.scalars(select(Motion)).all()
    assert motion.state == "agenda" and len(motion.amendments) == 1
    posts = db.session.scalars(select(Post)).all()
    assert len(posts) == 2 and posts[1].parent_id == posts[0].id
    taking_part = {motion.proposer_id, *(s.member_id for s in motion.seconds)}
    assert not taking_part & lapsed and not {p.author_id for p in posts} & lapsed


def test_taking_part_follows_the_motion_and_the_digest_tells_what_is_new(app, world, smtp_sink):  # type: ignore[no-untyped-def]
    from node.motions import amending
    from node.motions import operations as ops
    from node.organising import follows

    group, officer, mover, ann = world
    motion = _motion(group, mover)
    ops.post(motion, "A thought", ann)
    amending.propose_amendment(motion, BASE.replace("library", "libraries"), None, ann)
    db.session.commit()
    assert follows.is_following(ann, ops.KIND, motion.id)
    assert not follows.is_following(officer, ops.KIND, motion.id)
    assert follows.send_digests() == 1  # the mover; Ann's own news is not news to Ann
    (mail,) = smtp_sink.to(mover.email)
    body = smtp_sink.body(mail)
    assert "Ann wrote on “Library”" in body and "Ann proposed amendment 1" in body
    assert f"/motions/{motion.id}#amendment-1" in body


def test_a_carried_motion_stays_carried_when_its_endorsement_cannot_be_signed(
    app, world, monkeypatch
):  # type: ignore[no-untyped-def]
    from node.audit import AuditEntry
    from node.ballots import scheduling
    from node.ballots.models import Ballot
    from node.ballots.voting import cast_vote
    from node.campaigns import operations as campaigns
    from node.errors import Conflict
    from node.motions import deciding
    from node.motions import operations as ops
    from node.motions.models import Motion

    group, officer, mover, ann = world
    campaign = campaigns.create_campaign(group, {"title": "Library", "summary": "Open"}, officer)
    ops.set_seconders(group, 0, officer)
    db.session.commit()
    motion = _motion(group, mover, campaign.id)
    start = clock.utcnow_naive()
    deciding.put_to_vote(motion, 1, None, officer)
    db.session.commit()
    cast_vote(db.session.get(Ballot, motion.final_ballot_id), ann, [0])
    db.session.commit()

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise Conflict("Federation is not set up on this node.")

    monkeypatch.setattr(deciding.decisions, "publish_decision", refuse)
    with clock.frozen(start + timedelta(days=1, minutes=1)):
        scheduling.run_due()
        assert deciding.run_due() == 1
    db.session.expire_all()
    motion = db.session.get(Motion, motion.id)
    assert motion.state == "carried" and not motion.endorsement_published
    held = db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "motion-endorsement-held")
    )
    assert held is not None and "not set up" in held.detail
