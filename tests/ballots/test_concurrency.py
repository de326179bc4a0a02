"""One member, one vote, under fire: many simultaneous submissions by the same member against a
real gunicorn process (several workers and threads) — exactly one is counted, on SQLite and on
PostgreSQL (run with COMMONGROUND_TEST_PG), because the database's UNIQUE constraint decides."""

from __future__ import annotations

import re
import threading

import pytest
import requests
from sqlalchemy import func, select

from node.extensions import db
from tests.ballots.helpers import make_ballot, ranked_form
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = pytest.mark.slow
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SUBMISSIONS = 24


def _token(session: requests.Session, url: str) -> str:
    response = session.get(url, timeout=60)
    assert response.status_code == 200, response.text[:500]
    return TOKEN.search(response.text).group(1)


def test_simultaneous_votes_by_one_member_count_once(
    app_config, group, officer, make_member, tmp_path
):
    from node.ballots.models import CastBallot, Participation

    voter = make_member(group, email="eager@walton.example.org")
    ballot = make_ballot(group, officer, open_it=True)
    form = ranked_form(ballot, "Bob", "Ann")
    env = {"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    with Install(tmp_path / "node", env=env, workers=3, threads=8).start() as node:
        signin = requests.Session()
        token = _token(signin, f"{node.url}/signin")
        response = signin.post(
            f"{node.url}/signin",
            data={"email": voter.email, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )
        assert response.status_code == 302
        vote_token = _token(signin, f"{node.url}/ballots/{ballot.id}")

        barrier = threading.Barrier(SUBMISSIONS)
        statuses: list[int] = []
        lock = threading.Lock()

        def submit() -> None:
            session = requests.Session()
            session.cookies.update(signin.cookies)
            barrier.wait()
            reply = session.post(
                f"{node.url}/ballots/{ballot.id}/vote",
                data={**form, "csrf_token": vote_token},
                allow_redirects=False,
                timeout=120,
            )
            with lock:
                statuses.append(reply.status_code)

        threads = [threading.Thread(target=submit) for _ in range(SUBMISSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert len(statuses) == SUBMISSIONS
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {201, 409, 503}, statuses  # 503: SQLite busy, nothing stored
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    assert db.session.scalar(select(func.count()).select_from(CastBallot)) == 1
    assert db.session.scalar(select(CastBallot.ranking)) == [1, 0]
