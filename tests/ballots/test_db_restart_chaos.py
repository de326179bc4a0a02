"""A PostgreSQL restart while members vote through a real gunicorn: no vote is answered with a
500. Every vote is either accepted with a receipt or answered 503 ("nothing was saved, try
again"), and sending the same form again afterwards gives the receipt its paper showed; in the
end there is exactly one participation and one paper per voter.

The database is a throwaway ``initdb`` server (tests/support/pg_cluster.py), never the shared
one. A first wave votes; a second wave is sent while a lock holds its votes mid-transaction,
and the server is stopped under them (``-m fast``: every connection the web workers hold is cut,
as in a real restart); while it is down a vote and a page are checked to be clean 503s; once it is back, the members whose votes were refused repeat them
(a member waits for the "database is up" event, not for time to pass), and every member sends
the same form once more to see the same receipt.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from tests.ballots.helpers import make_ballot, ranked_form
from tests.ballots.test_receipts import offered, paper_form, receipt
from tests.support.fixtures import PASSWORD
from tests.support.pg_cluster import Cluster
from tests.support.server import Install

pytestmark = pytest.mark.slow
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
VOTERS = 16
HELD = 2  # votes held mid-transaction when the server stops (the others queue in gunicorn)
ATTEMPTS = 6  # a member repeats a refused vote at most this often once the database is back


class Voter:
    def __init__(self, node: Install, email: str, ballot_id: int) -> None:
        self.path = f"{node.url}/ballots/{ballot_id}/vote"
        self.session = requests.Session()
        token = TOKEN.search(self.session.get(f"{node.url}/signin", timeout=60).text)
        assert token, "no sign-in form"
        signed_in = self.session.post(
            f"{node.url}/signin",
            data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
            allow_redirects=False,
            timeout=60,
        )
        assert signed_in.status_code == 302, signed_in.text[:300]
        shown = self.session.get(f"{node.url}/ballots/{ballot_id}", timeout=60)
        assert shown.status_code == 200, shown.text[:500]
        page = shown.text
        self.code = offered(page)
        self.form: dict[str, str] = {}
        self.page = page
        self.statuses: list[int] = []
        self.receipt: str | None = None

    def post(self) -> requests.Response:
        reply = self.session.post(self.path, data=self.form, allow_redirects=False, timeout=120)
        self.statuses.append(reply.status_code)
        if reply.status_code in (200, 201):
            self.receipt = receipt(reply.text)
        return reply

    def vote(self, up: threading.Event) -> None:
        """Vote; on a 503, wait until the database is up and repeat (a bounded number of times)."""
        for _ in range(ATTEMPTS):
            if self.post().status_code != 503:
                return
            up.wait(timeout=180)


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with Cluster.create() as made:
        yield made


def _prepare(cluster: Cluster, url: str, folder: Path) -> tuple[int, dict[str, str]]:
    """Migrate the throwaway database and create the group, its voters and an open ballot."""
    from flask_migrate import upgrade

    from node import create_app
    from node.auth.passwords import hash_password
    from node.extensions import db
    from node.groups.operations import create_group
    from node.members.models import Account, Member

    app = create_app({"SQLALCHEMY_DATABASE_URI": cluster.url(), "INSTANCE_PATH": str(folder)})
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        group = create_group("Walton", slug="walton", url=url)
        password = hash_password(PASSWORD)
        people = [("officer", "officer@walton.example.org")] + [
            ("member", f"voter{i}@walton.example.org") for i in range(VOTERS)
        ]
        members = []
        for role, email in people:
            account = Account(email=email, password_hash=password)
            db.session.add(account)
            db.session.flush()
            member = Member(group_id=group.id, email=email, name=email, role=role)
            member.account_id = account.id
            db.session.add(member)
            members.append(member)
        db.session.commit()
        ballot = make_ballot(group, members[0], open_it=True)
        ballot_id, choices = int(ballot.id), ranked_form(ballot, "Cat", "Bob")
        db.session.remove()
        db.engine.dispose()
    return ballot_id, choices


@contextmanager
def _stopped_under_held_votes(cluster: Cluster, count: int) -> Iterator[None]:
    """Hold a lock on the participations table until ``count`` requests wait for it inside
    their transactions (polled in pg_stat_activity), then stop the server under them (``-m
    fast``: their connections, and this one, are cut mid-transaction, as in a real restart)."""
    engine = create_engine(cluster.url(), poolclass=NullPool)
    conn = engine.connect()
    try:
        conn.execute(text("LOCK TABLE ballot_participations IN ACCESS EXCLUSIVE MODE"))
        yield
        deadline = time.monotonic() + 120
        waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
        while int(cluster.scalar(waiting)) < count:
            assert time.monotonic() < deadline, "the votes never reached the database"
            time.sleep(0.02)  # polling a condition, not waiting for time to pass
        cluster.stop()
    finally:
        with suppress(OperationalError):  # cut by the stop: closing it only frees it here
            conn.close()
        engine.dispose()


def _counts(cluster: Cluster) -> tuple[int, int]:
    return (
        int(cluster.scalar("SELECT count(*) FROM ballot_participations")),
        int(cluster.scalar("SELECT count(*) FROM ballot_papers")),
    )


def test_a_database_restart_while_members_vote_answers_no_500(
    cluster: Cluster, tmp_path: Path
) -> None:
    env = {
        "COMMONGROUND_DATABASE_URL": cluster.url(),
        "COMMONGROUND_SIGNIN_RATE_LIMIT": "1000 per minute",
    }
    with Install(tmp_path / "node", env=env, workers=2, threads=4) as node:
        ballot_id, choices = _prepare(cluster, node.url, tmp_path / "setup")
        node.start()
        voters = [Voter(node, f"voter{i}@walton.example.org", ballot_id) for i in range(VOTERS)]
        for voter in voters:
            voter.form = paper_form(voter.page, choices)
        up = threading.Event()
        up.set()
        first, second, down_probe = voters[: VOTERS // 2], voters[VOTERS // 2 : -1], voters[-1]
        for voter in first:
            voter.vote(up)
        assert all(v.receipt == v.code for v in first), [v.statuses for v in first]

        threads = [threading.Thread(target=v.vote, args=(up,)) for v in second]
        up.clear()
        with _stopped_under_held_votes(cluster, HELD):
            for thread in threads:
                thread.start()
        refused = down_probe.post()
        page = down_probe.session.get(f"{node.url}/ballots/{ballot_id}", timeout=60)
        cluster.start()
        up.set()
        for thread in threads:
            thread.join()
        down_probe.vote(up)

        assert refused.status_code == 503 and refused.headers["Retry-After"].isdigit()
        assert "not stored" in refused.text or "nothing" in refused.text.lower()
        assert page.status_code == 503, page.status_code
        for voter in voters:  # the same form once more: the same receipt, nothing new stored
            assert voter.post().status_code == 200, str([v.statuses for v in voters])
            assert voter.receipt == voter.code

    statuses = [status for voter in voters for status in voter.statuses]
    assert 500 not in statuses, statuses
    assert set(statuses) <= {200, 201, 503}, statuses
    assert statuses.count(201) == VOTERS, statuses
    assert _counts(cluster) == (VOTERS, VOTERS)
