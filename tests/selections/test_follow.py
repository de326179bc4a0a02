"""Following a selection: its news (nominations closed, answers published, ballot opened) is
recorded once each for the follow-and-digest kernel, which mails followers one digest."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.extensions import db
from node.organising.follows import Follow, News
from node.selections import balloting
from node.selections import operations as ops
from tests.selections.helpers import DAY, Site, make_selection


def test_followers_get_each_step_once(app, group, officer, make_member):
    people = [make_member(group, name=f"Cand {i}") for i in range(3)]
    selection = make_selection(group, officer, places=1, seconders_needed=0)
    for person in people:
        ops.nominate(selection, person, person.id)
    db.session.commit()
    standing = {f.member_id for f in db.session.scalars(select(Follow))}
    assert standing == {p.id for p in people}  # standing follows the selection
    follower = make_member(group, email="fan@walton.example.org")
    site = Site(app, follower.email)
    path = f"/selections/{selection.id}"
    assert site.post(f"{path}/follow", page=path).status_code == 302
    assert db.session.scalar(select(Follow).where(Follow.member_id == follower.id)) is not None
    assert "Stop following" in site.get(path).get_data(as_text=True)

    clock.advance(2 * DAY + timedelta(minutes=1))
    balloting.run_due()
    clock.advance(2 * DAY)  # answers due, ballot opens (the ballots task opens it)
    from node.ballots.scheduling import run_due as ballots_due

    balloting.run_due()
    ballots_due()
    balloting.run_due()
    balloting.run_due()
    texts = [n.text for n in db.session.scalars(select(News).order_by(News.id))]
    assert len(texts) == 3, texts
    assert texts[0].startswith(
        "Nominations closed for Surrey County Council, Walton South: 3 valid"
    )
    assert "answers" in texts[1] and "ballot" in texts[2] and "is open until" in texts[2]

    assert site.post(f"{path}/follow", {"stop": "1"}, page=path).status_code == 302
    assert db.session.scalar(select(Follow).where(Follow.member_id == follower.id)) is None
