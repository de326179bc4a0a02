"""Issue 19's acceptance for selections, end to end through the web: a selection for two
places; five nominees, one withdraws and one lacks seconders; hustings questions (one merged),
answers published together; the STV ballot made from the three valid nominees, whose paper links
each candidate's statement; members vote; the result is published as signed candidate
endorsements, and a peer that follows the group receives them."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.ballots.models import Ballot
from node.extensions import db
from node.organising.times import to_local
from node.peering import worker
from node.peering.following import follow_peer
from node.peering.models import Statement
from node.selections.models import Nomination, Question, Selection
from tests.ballots.helpers import ranked_form
from tests.peering.conftest import WALTON, fingerprint
from tests.selections.helpers import DAY, Site

TIME = "%Y-%m-%dT%H:%M"
NAMES = ("Ann Lee", "Bob Roy", "Cat Sims", "Dee Ray", "Eve Moss")


def _timetable() -> dict[str, str]:
    now = to_local(clock.utcnow_naive())
    steps = {
        "nominations_open_at": now,
        "nominations_close_at": now + 2 * DAY,
        "questions_close_at": now + 3 * DAY,
        "answers_due_at": now + 4 * DAY,
        "ballot_opens_at": now + 4 * DAY,
        "ballot_closes_at": now + 7 * DAY,
    }
    return {name: at.strftime(TIME) for name, at in steps.items()}


def test_a_selection_from_nominations_to_endorsements_a_peer_receives(
    app, wsgi, walton, shepperton, make_member
):
    preview = follow_peer(shepperton, WALTON, fingerprint(walton))  # Shepperton follows Walton
    db.session.commit()
    assert preview.pinned
    officer = make_member(walton, "officer", email="officer@walton.example.org", name="Olu Officer")
    nominees = [
        make_member(walton, email=f"{n.split()[0].lower()}@walton.example.org", name=n)
        for n in NAMES
    ]
    others = [
        make_member(walton, email=f"v{i}@walton.example.org", name=f"Voter {i}") for i in range(4)
    ]
    site = {m.name: Site(app, m.email, WALTON) for m in [officer, *nominees, *others]}
    chair = site["Olu Officer"]

    # The officer opens the selection.
    form = {
        "office": "Surrey County Council",
        "area": "Walton South",
        "election_date": f"{clock.today().year + 1}-05-06",
        "places": "2",
        "self_nomination": "y",
        "seconders_needed": "2",
        "min_days": "0",
        **_timetable(),
    }
    opened = chair.post("/selections/new", form)
    assert opened.status_code == 302
    selection = db.session.scalar(select(Selection))
    path = f"/selections/{selection.id}"

    # Nominations: four stand by themselves; Voter 0 nominates Cat Sims, who accepts.
    for name in ("Ann Lee", "Bob Roy", "Dee Ray", "Eve Moss"):
        me = next(m for m in nominees if m.name == name)
        assert site[name].post(f"{path}/nominate", {"nominee_id": str(me.id)}).status_code == 302
    cat = next(m for m in nominees if m.name == "Cat Sims")
    assert site["Voter 0"].post(f"{path}/nominate", {"nominee_id": str(cat.id)}).status_code == 302
    nomination = {
        n.nominee.name: n for n in db.session.scalars(select(Nomination).order_by(Nomination.id))
    }
    cat_n = nomination["Cat Sims"]
    assert (
        site["Cat Sims"].post(f"{path}/nominations/{cat_n.id}/accept", page=path).status_code == 302
    )
    seconders = {
        "Ann Lee": ("Voter 1", "Voter 2"),
        "Bob Roy": ("Voter 1", "Voter 3"),
        "Cat Sims": ("Voter 2", "Voter 3"),
        "Dee Ray": ("Voter 1", "Voter 2"),
        "Eve Moss": ("Voter 3",),  # one short
    }
    for name, who in seconders.items():
        for seconder in who:
            url = f"{path}/nominations/{nomination[name].id}/second"
            assert site[seconder].post(url, page=path).status_code == 302
    for name in ("Ann Lee", "Bob Roy", "Cat Sims"):
        url = f"{path}/nominations/{nomination[name].id}/statement"
        text = f"STATEMENT-{name.split()[0]}: I will **fight** for Walton South."
        assert site[name].post(url, {"statement": text}).status_code == 302
    dee = nomination["Dee Ray"]
    assert (
        site["Dee Ray"].post(f"{path}/nominations/{dee.id}/withdraw", page=path).status_code == 302
    )

    # Hustings questions: two members ask the same thing; the officer merges the duplicate.
    for asker, text in (
        ("Voter 0", "How will you fix the buses?"),
        ("Voter 1", "Buses: what will you do?"),
    ):
        assert site[asker].post(f"{path}/questions", {"text": text}).status_code == 302
    first, duplicate = db.session.scalars(select(Question).order_by(Question.id)).all()
    moderate = f"{path}/questions/{{}}/moderate"
    chair.post(
        moderate.format(first.id),
        {f"q{first.id}-action": "approve"},
        page=f"{path}/questions/moderate",
    )
    chair.post(
        moderate.format(duplicate.id),
        {f"q{duplicate.id}-action": "merge", f"q{duplicate.id}-into": str(first.id)},
        page=f"{path}/questions/moderate",
    )

    # Nominations close: the next request makes the ballot from the three valid nominees.
    clock.advance(2 * DAY + timedelta(minutes=1))
    page = site["Voter 0"].get(path).get_data(as_text=True)
    candidates = page[page.index('id="candidates"') :]
    assert all(n in candidates for n in ("Ann Lee", "Bob Roy", "Cat Sims"))
    assert "Dee Ray" not in candidates and "Eve Moss" not in candidates
    db.session.refresh(selection)
    ballot = db.session.get(Ballot, selection.ballot_id)
    assert (ballot.method, ballot.seats, ballot.state, ballot.scheduled) == (
        "scottish-stv",
        2,
        "draft",
        True,
    )
    assert [o.name for o in ballot.options] == ["Ann Lee", "Bob Roy", "Cat Sims"]
    assert (ballot.office, ballot.area) == ("Surrey County Council", "Walton South")

    # The candidates answer; nobody reads another's answer before the deadline.
    answer = f"{path}/questions/{first.id}/answer"
    for name in ("Ann Lee", "Bob Roy", "Cat Sims"):
        text = f"ANSWER-{name.split()[0]}: more buses."
        assert site[name].post(answer, {"text": text}).status_code == 302
    before = site["Bob Roy"].get(f"{path}/questions").get_data(as_text=True)
    assert "ANSWER-Bob" in before and "ANSWER-Ann" not in before and "ANSWER-Cat" not in before

    # Answers due, ballot open: all answers at once, and the paper links each candidate.
    clock.advance(2 * DAY)
    published = site["Voter 2"].get(f"{path}/questions").get_data(as_text=True)
    assert all(f"ANSWER-{n}" in published for n in ("Ann", "Bob", "Cat"))
    assert "Also asked by 1 other member" in published
    paper = site["Voter 2"].get(f"/ballots/{ballot.id}").get_data(as_text=True)
    db.session.refresh(ballot)
    assert ballot.state == "open"
    for name in ("Ann Lee", "Bob Roy", "Cat Sims"):
        link = f'href="/selections/{selection.id}/candidates/{nomination[name].id}"'
        assert link in paper, name
        about = site["Voter 2"].get(f"/selections/{selection.id}/candidates/{nomination[name].id}")
        html = about.get_data(as_text=True)
        first_name = name.split()[0]
        assert about.status_code == 200
        assert f"STATEMENT-{first_name}: I will <strong>fight</strong>" in html
        assert f"ANSWER-{first_name}" in html
    assert "Dee Ray" not in paper and "Eve Moss" not in paper

    # Members vote.
    votes = {
        "Voter 0": ("Ann Lee", "Bob Roy"),
        "Voter 1": ("Ann Lee", "Cat Sims"),
        "Voter 2": ("Bob Roy", "Ann Lee"),
        "Voter 3": ("Bob Roy", "Cat Sims"),
        "Dee Ray": ("Cat Sims", "Ann Lee"),
        "Eve Moss": ("Ann Lee", "Bob Roy"),
    }
    for voter, ranking in votes.items():
        cast = site[voter].post(
            f"/ballots/{ballot.id}/vote",
            ranked_form(ballot, *ranking),
            page=f"/ballots/{ballot.id}",
        )
        assert cast.status_code == 201, cast.get_data(as_text=True)[:1500]

    # The ballot closes; the officer publishes the result and the signed endorsements.
    clock.advance(3 * DAY + timedelta(minutes=5))
    chair.get(f"/ballots/{ballot.id}/result")
    assert (
        chair.post(f"/ballots/{ballot.id}/publish", page=f"/ballots/{ballot.id}/result").status_code
        == 302
    )
    signed = chair.post(f"/ballots/{ballot.id}/decision")
    assert signed.status_code == 302, signed.get_data(as_text=True)[:1500]
    db.session.refresh(ballot)
    elected = ballot.result["elected"]
    assert sorted(elected) == ["Ann Lee", "Bob Roy"]

    # The peer receives them.
    worker.deliver_due()
    held = db.session.scalars(
        select(Statement).where(Statement.group_id == shepperton.id, Statement.issuer == WALTON)
    ).all()
    bodies = sorted((s.type, s.payload["body"]["candidate"], s.verification) for s in held)
    assert bodies == [
        ("candidate-endorsement", "Ann Lee", "verified"),
        ("candidate-endorsement", "Bob Roy", "verified"),
    ]
    body = held[0].payload["body"]
    assert (body["office"], body["area"]) == ("Surrey County Council", "Walton South")
    assert body["decision"]["method"] == "scottish-stv" and body["decision"]["turnout"] == 6
    assert re.fullmatch(r"\d{4}-05-06", body["election_date"])
