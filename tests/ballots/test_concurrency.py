"""One member, one vote, under fire: many simultaneous submissions by the same member (signed in,
and mixed with their voting link and printed code) against a
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


def test_one_elector_voting_by_link_code_and_signed_in_at_once_counts_once(
    app_config, group, officer, make_member, smtp_sink, tmp_path
):
    """The same elector, all at once: signed in, by the mailed link and by a printed code."""
    from node.ballots.models import CastBallot, Participation
    from node.ballots.voting_links import issue_codes

    voter = make_member(group, email="eager@walton.example.org")
    ballot = make_ballot(group, officer, open_it=True)
    link = re.search(r"http://localhost(/vote/\S+)", smtp_sink.body(smtp_sink.to(voter.email)[0]))
    ((_, code),) = issue_codes(ballot, [voter.id], officer)
    db.session.commit()
    form = ranked_form(ballot, "Bob", "Ann")
    env = {"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    with Install(tmp_path / "node", env=env, workers=3, threads=8).start() as node:
        signin = requests.Session()
        token = _token(signin, f"{node.url}/signin")
        signin.post(
            f"{node.url}/signin",
            data={"email": voter.email, "password": PASSWORD, "csrf_token": token},
            allow_redirects=False,
            timeout=60,
        )
        signed_token = _token(signin, f"{node.url}/ballots/{ballot.id}")
        anonymous = requests.Session()
        anon_token = _token(anonymous, node.url + link.group(1))
        ways = [
            (signin, f"/ballots/{ballot.id}/vote", {"csrf_token": signed_token}),
            (anonymous, link.group(1), {"csrf_token": anon_token}),
            (anonymous, "/vote", {"csrf_token": anon_token, "code": code, "cast": "1"}),
        ]
        barrier = threading.Barrier(SUBMISSIONS)
        results: list[tuple[str, int]] = []
        lock = threading.Lock()

        def submit(n: int) -> None:
            origin, path, extra = ways[n % len(ways)]
            session = requests.Session()
            session.cookies.update(origin.cookies)
            barrier.wait()
            reply = session.post(
                node.url + path, data={**form, **extra}, allow_redirects=False, timeout=120
            )
            with lock:
                results.append((path, reply.status_code))

        threads = [threading.Thread(target=submit, args=(n,)) for n in range(SUBMISSIONS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    statuses = [status for _, status in results]
    assert len(statuses) == SUBMISSIONS
    assert statuses.count(201) == 1, results
    assert set(statuses) <= {201, 409, 503}, results
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 1
    assert db.session.scalar(select(func.count()).select_from(CastBallot)) == 1
    method = db.session.scalar(select(Participation.method))
    winner = next(path for path, status in results if status == 201)
    expected = {"/vote": "code", link.group(1): "link"}.get(winner, "signed_in")
    assert method == expected
