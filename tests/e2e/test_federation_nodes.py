"""Three real installs (separate gunicorn processes, their own SQLite and keys) federating.

Deterministic: workers run as ``commonground worker --once`` subprocesses; time is moved for a
process with COMMONGROUND_TEST_CLOCK_OFFSET, never waited for; nothing asserts timings.
"""

from __future__ import annotations

import re
import signal
import sqlite3

import pytest

from tests.support.server import Install

pytestmark = pytest.mark.slow
LATER = {"COMMONGROUND_TEST_CLOCK_OFFSET": str(8 * 3600)}  # past any backoff and lease


def follow(follower: Install, slug: str, target: Install) -> None:
    first = follower.cli("peers", "follow", target.url, "--group", slug, check=False)
    assert first.returncode != 0 and "--fingerprint" in first.stderr  # nothing trusted yet
    shown = re.search(r"Key fingerprint: (\S+)", first.stdout).group(1)
    # the officer compares it with what the other group says, out of band:
    assert shown == target.get("/federation/jwks.json").json()["keys"][0]["kid"]
    done = follower.cli("peers", "follow", target.url, "--group", slug, "--fingerprint", shown)
    assert "follow request accepted" in done.stdout


def publish(install: Install, slug: str, count: int) -> None:
    install.cli(
        "endorse",
        "campaign",
        "--group",
        slug,
        "--title",
        "Clean the Wey",
        "--summary",
        "Stop sewage discharges.",
        "--meeting-date",
        "2025-01-09",
        "--minute",
        "GM/1",
    )
    install.python(
        "from node.extensions import db\n"
        "from node.peering import operations as ops\n"
        "from node.groups.operations import get_group\n"
        f"group = get_group({slug!r})\n"
        f"for n in range({count - 1}):\n"
        "    ops.endorse_candidate(group, f'Candidate {n}', 'County Council', 'Walton South',\n"
        "        '2025-05-01', ops.meeting_decision('2025-01-09', f'GM/{n}', 'Agreed'))\n"
        "    db.session.commit()\n"
    )


def held(install: Install, slug: str, issuer: str) -> list[tuple[str, int, str]]:
    lines = install.cli("statements", "list", "--group", slug).stdout.splitlines()
    rows = [line.split("\t") for line in lines]
    return [(r[0], int(r[2]), r[4]) for r in rows if r[1] == issuer]


def delivery_states(install: Install) -> dict[str, int]:
    with sqlite3.connect(install.instance / "commonground.db") as conn:
        return dict(
            conn.execute(
                "SELECT state, count(*) FROM federation_deliveries GROUP BY state"
            ).fetchall()
        )


def test_three_nodes_a_peer_away_catches_up(tmp_path):
    with Install(tmp_path / "a") as a, Install(tmp_path / "b") as b, Install(tmp_path / "c") as c:
        for node, name in ((a, "Walton"), (b, "Shepperton"), (c, "Hersham")):
            node.init(name, slug=name.lower())
            node.start()
        follow(b, "shepperton", a)
        follow(c, "hersham", a)
        c.stop()
        publish(a, "walton", 50)
        a.worker_once()  # pushes to B; C refuses connections: backed off, nothing lost
        assert delivery_states(a) == {"delivered": 50, "pending": 50}
        c.start()
        c.worker_once()  # C catches up by pulling A's outbox
        a.worker_once(env=LATER)  # A's retries to C: idempotent duplicates
        assert delivery_states(a) == {"delivered": 100}
        own = held(a, "walton", a.url)
        assert [seq for _, seq, _ in own] == list(range(1, 51))
        for node, slug in ((b, "shepperton"), (c, "hersham")):
            rows = held(node, slug, a.url)
            assert [sid for sid, _, _ in rows] == [sid for sid, _, _ in own]  # once, in order
            assert {status for _, _, status in rows} == {"verified"}
            assert "chain verified" in node.cli("statements", "verify", "--group", slug).stdout


def test_worker_killed_mid_delivery_loses_and_doubles_nothing(tmp_path):
    with Install(tmp_path / "a") as a, Install(tmp_path / "b") as b:
        a.init("Walton", slug="walton")
        b.init("Shepperton", slug="shepperton")
        a.start()
        b.start()
        follow(b, "shepperton", a)
        publish(a, "walton", 30)
        a.worker_once("--max", "10")
        assert delivery_states(a) == {"delivered": 10, "pending": 20}
        crashed = a.worker_once(
            "--max", "10", check=False, env={"COMMONGROUND_TEST_CRASH_AFTER_POSTS": "1"}
        )
        assert crashed.returncode == -signal.SIGKILL  # posted, then died before recording it
        assert len(held(b, "shepperton", a.url)) == 20
        assert delivery_states(a) == {"delivered": 10, "pending": 20}
        a.worker_once(env={"COMMONGROUND_TEST_CLOCK_OFFSET": "600"})  # the lease has run out
        assert delivery_states(a) == {"delivered": 30}
        rows = held(b, "shepperton", a.url)
        assert [seq for _, seq, _ in rows] == list(range(1, 31))
        assert [sid for sid, _, _ in rows] == [sid for sid, _, _ in held(a, "walton", a.url)]
