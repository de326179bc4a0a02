"""Two real ``commonground worker`` processes share one PostgreSQL database's periodic work: many
due items (an "invite everyone" run of :data:`MEMBERS` invitations, one item each), every one
done, none twice — each address gets exactly one invitation in the SMTP sink — and nothing is
left leased or recorded as failing afterwards (two workers reaching one item must skip, not
collide). The database is a throwaway ``initdb`` server (tests/support/pg_cluster.py).
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import Cluster
from tests.support.server import BIN, Install

pytestmark = pytest.mark.slow
MEMBERS = 80
SENT = re.compile(
    r"\bmembers\.invite_everyone=(\d+)"
)  # the worker's line per run that did something
DEADLINE = 240.0  # seconds at most for the work to be done (an upper bound, not a timing)

QUEUE = f"""
from node.auth import bulk_invite
from node.extensions import db
from node.groups.models import Group
from node.members.models import Member
from sqlalchemy import select

group = db.session.scalars(select(Group)).one()
for i in range({MEMBERS}):
    db.session.add(Member(group_id=group.id, name=f"Member {{i}}", email=f"m{{i}}@walton.example.org"))
db.session.flush()
print(bulk_invite.start_run(group, None).total)
db.session.commit()
"""


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with Cluster.create() as made:
        yield made


def _workers(install: Install, count: int) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [str(BIN / "commonground"), "worker", "--interval", "0.2"],
            env=install.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(count)
    ]


def _wait_until_done(cluster: Cluster, workers: list[subprocess.Popen[str]]) -> None:
    """Poll the database until no invitation is pending or being sent (bounded)."""
    deadline = time.monotonic() + DEADLINE
    query = "SELECT count(*) FROM invitation_run_items WHERE state IN ('pending', 'sending')"
    while cluster.scalar(query):
        for worker in workers:
            assert worker.poll() is None, f"a worker exited:\n{worker.communicate()[1][-3000:]}"
        assert time.monotonic() < deadline, "the workers did not finish the run"
        time.sleep(0.1)  # polling a condition, not waiting for time to pass


def test_two_workers_do_every_item_exactly_once(
    cluster: Cluster, smtp_sink: Any, tmp_path: Path
) -> None:
    with Install(
        tmp_path / "walton",
        env={
            "COMMONGROUND_DATABASE_URL": cluster.url(),
            "COMMONGROUND_MAIL_ENABLED": "true",
            "COMMONGROUND_SMTP_HOST": "127.0.0.1",
            "COMMONGROUND_SMTP_PORT": str(smtp_sink.port),
        },
    ) as install:
        install.init("Walton", slug="walton")
        assert install.python(QUEUE).strip() == str(MEMBERS)
        smtp_sink.clear()

        workers = _workers(install, 2)
        try:
            _wait_until_done(cluster, workers)
        finally:
            for worker in workers:
                worker.send_signal(signal.SIGTERM)
            outputs = [worker.communicate(timeout=60) for worker in workers]
        for worker, (_out, err) in zip(workers, outputs, strict=True):
            assert worker.returncode == 0, err[-3000:]
            assert "Traceback" not in err, err[-3000:]
    shares = [sum(int(n) for n in SENT.findall(out)) for out, _err in outputs]
    assert sum(shares) == MEMBERS, (
        f"each invitation counted by the one worker that sent it: {shares}"
    )
    assert all(shares), f"both workers took part: {shares}"

    invited = Counter(rcpt for rcpt, _ in smtp_sink.messages)
    wanted = {f"m{i}@walton.example.org" for i in range(MEMBERS)}
    assert set(invited) == wanted, "every member was invited"
    assert [a for a, n in invited.items() if n > 1] == [], "nobody was invited twice"
    assert cluster.scalar("SELECT count(*) FROM invitation_run_items WHERE state = 'sent'") == (
        MEMBERS
    )
    assert cluster.scalar("SELECT count(*) FROM task_failures") == 0
    assert cluster.scalar("SELECT count(*) FROM task_leases") == 0, "every lease was given back"
