"""Receipts against a real gunicorn server when replies are lost: the vote is posted and its reply
dropped (the connection closed unread), the web workers are killed with SIGKILL, and the member
sends the same form again — whatever the first request had reached, the member gets a receipt
with the code their paper showed, and exactly one participation and one paper exist. Then many
copies of one form at once: one vote, and every answer that is a receipt carries the same code."""

from __future__ import annotations

import http.client
import os
import re
import signal
import threading
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from sqlalchemy import func, select

from node.extensions import db
from tests.ballots.helpers import make_ballot, ranked_form
from tests.ballots.test_receipts import offered, paper_form, receipt
from tests.support.fixtures import PASSWORD
from tests.support.server import Install

pytestmark = pytest.mark.slow
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VOTERS = 4
TWINS = 12


def _signed_in(node: Install, email: str) -> requests.Session:
    session = requests.Session()
    token = TOKEN.search(session.get(f"{node.url}/signin", timeout=60).text).group(1)
    response = session.post(
        f"{node.url}/signin",
        data={"email": email, "password": PASSWORD, "csrf_token": token},
        allow_redirects=False,
        timeout=60,
    )
    assert response.status_code == 302
    return session


def _post_and_drop(node: Install, session: requests.Session, path: str, form: dict) -> None:  # type: ignore[type-arg]
    """Send the POST in full, then close the connection without reading the reply."""
    address = urlsplit(node.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
    cookies = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookies}
    connection.request("POST", path, body=urlencode(form), headers=headers)
    connection.close()


def _kill_workers(node: Install) -> int:
    """SIGKILL every gunicorn worker (the master starts new ones); how many were killed."""
    assert node.process is not None
    pid = node.process.pid
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        workers = [int(p) for p in children.read().split()]
    for worker in workers:
        os.kill(worker, signal.SIGKILL)
    return len(workers)


def _counts() -> tuple[int, int]:
    from node.ballots.models import CastBallot, Participation

    db.session.expire_all()
    return (
        db.session.scalar(select(func.count()).select_from(Participation)) or 0,
        db.session.scalar(select(func.count()).select_from(CastBallot)) or 0,
    )


def test_a_lost_reply_and_killed_workers_never_lose_the_receipt(
    app_config, group, officer, make_member, tmp_path
):
    voters = [make_member(group, email=f"voter{i}@walton.example.org") for i in range(VOTERS)]
    twin = make_member(group, email="twin@walton.example.org")
    ballot = make_ballot(group, officer, open_it=True)
    path = f"/ballots/{ballot.id}/vote"
    env = {"COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    killed = 0
    with Install(tmp_path / "node", env=env, workers=2, threads=4).start() as node:
        for voter in voters:
            session = _signed_in(node, voter.email)
            page = session.get(f"{node.url}/ballots/{ballot.id}", timeout=60).text
            code = offered(page)
            form = paper_form(page, ranked_form(ballot, "Cat", "Bob"))
            _post_and_drop(node, session, path, form)
            killed += _kill_workers(node)
            session.close()  # its kept-alive connection died with the worker; cookies stay
            again = session.post(node.url + path, data=form, allow_redirects=False, timeout=120)
            assert again.status_code in (200, 201), again.text[:500]
            assert receipt(again.text) == code
            third = session.post(node.url + path, data=form, allow_redirects=False, timeout=120)
            assert third.status_code == 200 and receipt(third.text) == code
            assert "already recorded" in third.text

        session = _signed_in(node, twin.email)
        page = session.get(f"{node.url}/ballots/{ballot.id}", timeout=60).text
        form = paper_form(page, ranked_form(ballot, "Ann"))
        barrier = threading.Barrier(TWINS)
        replies: list[tuple[int, str | None]] = []
        lock = threading.Lock()

        def submit() -> None:
            copy = requests.Session()
            copy.cookies.update(session.cookies)
            barrier.wait()
            reply = copy.post(node.url + path, data=form, allow_redirects=False, timeout=120)
            shown = receipt(reply.text) if reply.status_code in (200, 201) else None
            with lock:
                replies.append((reply.status_code, shown))

        threads = [threading.Thread(target=submit) for _ in range(TWINS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert killed >= VOTERS * 2
    statuses = [status for status, _ in replies]
    assert statuses.count(201) == 1, statuses
    assert set(statuses) <= {200, 201, 503}, statuses  # 503: SQLite busy, nothing stored
    assert {shown for _, shown in replies if shown} == {offered(page)}
    assert _counts() == (VOTERS + 1, VOTERS + 1)
