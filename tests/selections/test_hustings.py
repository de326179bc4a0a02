"""Hustings: questions moderated (merged duplicates), answers written by each candidate and
published together at the deadline — nobody, not even another candidate or an officer, reads
an answer before then; and the optional hustings meeting in the events room."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from node import clock
from node.events.models import Event
from node.extensions import db
from node.organising.times import to_local
from node.selections.models import Nomination, Question
from tests.selections.helpers import DAY, Site, make_selection


@pytest.fixture
def world(app, group, officer, make_member):  # type: ignore[no-untyped-def]
    from node.selections import operations as ops

    people = [
        make_member(group, email=f"h{i}@walton.example.org", name=f"Person {i}") for i in range(4)
    ]
    selection = make_selection(group, officer, places=1, seconders_needed=0)
    ann, bob = (ops.nominate(selection, p, p.id) for p in people[:2])
    db.session.commit()
    return selection, people, ann, bob


def test_moderation_approves_rejects_and_merges_duplicates(app, world, officer):
    selection, people, _, _ = world
    path = f"/selections/{selection.id}"
    asker = Site(app, people[2].email)
    for text in ("Will you back rent controls?", "Rent controls: yes or no?", "Buy me a pint?"):
        assert asker.post(f"{path}/questions", {"text": text}).status_code == 302
    empty = asker.post(f"{path}/questions", {"text": "   "})
    assert empty.status_code == 400
    first, duplicate, silly = db.session.scalars(select(Question).order_by(Question.id)).all()
    # Nothing is shown to members before moderation.
    assert "rent controls" not in asker.get(f"{path}/questions").get_data(as_text=True)
    chair = Site(app, officer.email)
    moderate = f"{path}/questions/{{}}/moderate"
    bad_merge = chair.post(
        moderate.format(duplicate.id),
        {f"q{duplicate.id}-action": "merge", f"q{duplicate.id}-into": str(first.id)},
        page=f"{path}/questions/moderate",
    )
    assert bad_merge.status_code == 400  # the target is not approved yet
    for question, action in ((first, "approve"), (duplicate, "merge"), (silly, "reject")):
        done = chair.post(
            moderate.format(question.id),
            {f"q{question.id}-action": action, f"q{question.id}-into": str(first.id)},
            page=f"{path}/questions/moderate",
        )
        assert done.status_code == 302
    db.session.expire_all()
    assert [(q.state, q.merged_into_id) for q in (first, duplicate, silly)] == [
        ("approved", None),
        ("merged", first.id),
        ("rejected", None),
    ]
    html = asker.get(f"{path}/questions").get_data(as_text=True)
    assert "Will you back rent controls?" in html and "Also asked by 1 other member" in html
    assert "Buy me a pint" not in html and "yes or no" not in html
    assert asker.post(moderate.format(silly.id), page=f"{path}/questions").status_code == 403


def test_answers_publish_together_and_nobody_reads_one_before(app, world, officer):
    from node.selections import hustings

    selection, people, ann, bob = world
    question = hustings.ask(selection, people[2], "What is your first priority?")
    hustings.moderate(selection, question, officer, "approve")
    db.session.commit()
    path = f"/selections/{selection.id}"
    ann_site, bob_site = Site(app, people[0].email), Site(app, people[1].email)
    member, chair = Site(app, people[3].email), Site(app, officer.email)
    answer = f"{path}/questions/{question.id}/answer"
    assert ann_site.post(answer, {"text": "ANN-ANSWER buses"}).status_code == 302
    assert member.post(answer, {"text": "not a candidate"}).status_code == 403

    clock.advance(2 * DAY + timedelta(minutes=1))  # nominations closed: the hustings run
    assert bob_site.post(answer, {"text": "BOB-ANSWER housing"}).status_code == 302
    pages = [f"{path}/questions", f"{path}/candidates/{ann.id}", f"{path}/candidates/{bob.id}"]
    for site, own, other in ((ann_site, "ANN", "BOB"), (bob_site, "BOB", "ANN")):
        seen = "".join(site.get(p).get_data(as_text=True) for p in pages)
        assert f"{own}-ANSWER" in seen and f"{other}-ANSWER" not in seen
        assert "published together" in seen
    for site in (member, chair):
        seen = "".join(site.get(p).get_data(as_text=True) for p in pages)
        assert "ANN-ANSWER" not in seen and "BOB-ANSWER" not in seen

    clock.advance(2 * DAY)  # past the deadline: the next request publishes them, all at once
    late = bob_site.post(answer, {"text": "BOB-ANSWER changed after reading Ann's"})
    assert late.status_code == 409
    for site in (member, chair, ann_site, bob_site):
        seen = site.get(f"{path}/questions").get_data(as_text=True)
        assert "ANN-ANSWER buses" in seen and "BOB-ANSWER housing" in seen
    db.session.refresh(selection)
    assert selection.answers_published_at is not None


def test_the_hustings_meeting_is_an_event_members_rsvp_to(app, world, officer):
    selection, people, _, _ = world
    chair = Site(app, officer.email)
    start = to_local(clock.utcnow_naive() + 3 * DAY).replace(hour=19, minute=0)
    done = chair.post(
        f"/selections/{selection.id}/hustings-event",
        {
            "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": start.replace(hour=21).strftime("%Y-%m-%dT%H:%M"),
            "place": "Walton Library",
        },
    )
    assert done.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.title.startswith("Hustings: Surrey County Council") and not event.public
    db.session.refresh(selection)
    assert selection.event_id == event.id
    member = Site(app, people[3].email)
    assert f"/events/{event.id}" in member.get(f"/selections/{selection.id}").get_data(as_text=True)
    assert member.post(f"/events/{event.id}/rsvp", page=f"/events/{event.id}").status_code == 302
    assert event.rsvps and event.rsvps[0].member_id == people[3].id


def test_withdrawn_candidates_answers_are_never_published(app, world, officer):
    from node.selections import hustings
    from node.selections import operations as ops

    selection, people, ann, bob = world
    question = hustings.ask(selection, people[2], "Why you?")
    hustings.moderate(selection, question, officer, "approve")
    hustings.answer(selection, bob, question, people[1], "BOB-GONE")
    ops.withdraw(db.session.get(Nomination, bob.id), people[1])
    db.session.commit()
    clock.advance(5 * DAY)
    seen = Site(app, people[3].email).get(f"/selections/{selection.id}/questions")
    assert "BOB-GONE" not in seen.get_data(as_text=True)
