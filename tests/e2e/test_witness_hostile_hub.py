"""Hostile-hub acceptance of issue 20: a real hub, two real groups, their witnesses.

Three installs (gunicorn, their own keys; Walton's database is the test's, so this runs on
SQLite and on PostgreSQL): the hub runs the real app behind ``tests.support.hostile_hub``, which
on the test's word serves a log it has tampered with, signed with the hub's own log key. Each
attack — (a) an accepted statement dropped, (b) two reordered, (c) one rewritten, (d) two
different trees shown to two groups — is caught by the first ``worker --once`` of a witness
after the hub shows it, and the evidence is kept (and reported by ``commonground doctor``).
Deterministic: workers are one-shot subprocesses; the hub's checkpoints are signed by its own
worker run with a moved clock (COMMONGROUND_TEST_CLOCK_OFFSET), never waited for.
"""

from __future__ import annotations

import json
import re
from itertools import count
from typing import Any

import pytest

from tests.e2e.test_federation_nodes import follow
from tests.support.server import Install

# A protocol between processes: once, on PostgreSQL where the run has it (tests/conftest.py).
pytestmark = [pytest.mark.slow, pytest.mark.backend("either")]
EVERY_RUN = {"COMMONGROUND_WITNESS_INTERVAL_SECONDS": "0"}
_hours = count(1)


def endorse(node: Install, slug: str, name: str) -> str:
    out = node.cli(
        "endorse", "candidate", "--group", slug, "--name", name, "--office", "Mayor",
        "--area", "Liverpool City Region", "--election-date", "2026-05-07",
        "--meeting-date", "2026-05-03", "--minute", f"GM/{name}",
    ).stdout  # fmt: skip
    return re.search(r"\(([0-9a-f-]{36})\)", out).group(1)


def sign(hub: Install) -> None:
    """The hub's worker signs a checkpoint of everything logged so far (its clock moved on, so
    one is due). Each is dated later than the last, so the server, on the real clock, never
    finds one due and serves it until the next: the test decides what the witnesses see."""
    offset = {"COMMONGROUND_TEST_CLOCK_OFFSET": str(3600 * next(_hours))}
    hub.worker_once(env=offset)


def leaf(hub: Install, statement_id: str) -> int:
    return hub.get("/hub/log/index", params={"statement": statement_id}).json()["leaves"][0][
        "index"
    ]


def tamper(hub: Install, **mode: Any) -> None:
    (hub.instance / "hostile.json").write_text(json.dumps(mode))


def evidence(node: Install) -> list[tuple[str, ...]]:
    """(kind, statement id or "-") of each piece of evidence the node keeps, oldest first, read
    by a process of the node's own."""
    out = node.python(
        "from sqlalchemy import select\n"
        "from node.extensions import db\n"
        "from node.witness.models import Evidence\n"
        "for row in db.session.scalars(select(Evidence).order_by(Evidence.id)):\n"
        "    assert row.checkpoint and row.detail\n"
        "    print(row.kind, row.statement_id or '-', '|', row.detail)\n"
    )
    found = [tuple(line.split(" | ")[0].split()) for line in out.splitlines()]
    print(out)  # each finding's detail, shown if the test fails
    return found


def walton_evidence() -> list[tuple[str, ...]]:
    """As :func:`evidence`, for Walton, whose database is the test's: read here, in a new
    transaction (what the worker processes committed), rather than by a process per look."""
    from sqlalchemy import select

    from node.extensions import db
    from node.witness.models import Evidence

    db.session.rollback()
    rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    for row in rows:
        assert row.checkpoint and row.detail
        print(row.kind, row.statement_id or "-", "|", row.detail)
    return [(row.kind, row.statement_id or "-") for row in rows]


def join(hub: Install, node: Install, name: str, slug: str) -> None:
    node.init(name, slug=slug)
    node.start()
    token = hub.cli("hub", "enrol-token", "--name", name, "--region", "North West")
    node.cli("hub", "join", hub.url, "--token", token.stdout.strip().splitlines()[0],
             "--group", slug)  # fmt: skip


def test_a_hostile_hub_is_caught_by_the_witnesses(tmp_path, app, app_config):
    shared = {**EVERY_RUN, "COMMONGROUND_DATABASE_URL": app_config["SQLALCHEMY_DATABASE_URI"]}
    with (
        Install(tmp_path / "hub", wsgi="tests.support.hostile_hub:app") as hub,
        Install(tmp_path / "walton", env=shared) as walton,
        Install(tmp_path / "anfield", env=EVERY_RUN) as anfield,
    ):
        hub.cli("init", "--group", "National Hub", "--slug", "hub", "--url", hub.url,
                "--role", "hub", "--admin", "officer@hub.example.org")  # fmt: skip
        hub.start()
        sign(hub)  # from now on every checkpoint is signed by sign(): none on a request
        join(hub, walton, "Walton", "walton")
        join(hub, anfield, "Anfield", "anfield")
        follow(walton, "walton", anfield)

        # Honest: Walton's statements are logged where the hub said; its witness cosigns.
        first = [endorse(walton, "walton", n) for n in ("Ann", "Bob", "Cat")]
        walton.worker_once()  # delivered; the hub answers with leaf indices
        sign(hub)
        walton.worker_once()
        served = hub.get("/hub/log/checkpoint").text
        assert f"\n— {walton.url.removeprefix('http://')} " in served  # Walton's cosignature
        proved = walton.cli("log", "prove", first[1], "--group", "walton").stdout
        assert f"Statement {first[1]} is entry {leaf(hub, first[1])} of the log" in proved
        assert walton_evidence() == []

        # (a) The hub drops an accepted statement from the log it shows.
        dropped = endorse(walton, "walton", "Dee")
        endorse(walton, "walton", "Eve")  # logged after it
        walton.worker_once()
        sign(hub)
        tamper(hub, drop=[leaf(hub, dropped)])
        walton.worker_once()
        assert walton_evidence() == [("not-included", dropped)]
        refused = walton.cli("log", "prove", dropped, "--group", "walton", check=False)
        assert refused.returncode == 1 and "does not show statement" in refused.stderr
        tamper(hub)  # honest again: the witness goes on (and cosigns); the evidence stays
        walton.worker_once()
        assert walton_evidence() == [("not-included", dropped)]

        # (b) The hub reorders two statements.
        one, two = endorse(walton, "walton", "Fay"), endorse(walton, "walton", "Gus")
        walton.worker_once()
        sign(hub)
        tamper(hub, swap=[leaf(hub, one), leaf(hub, two)])
        walton.worker_once()
        assert walton_evidence()[1:] == [("not-included", one), ("not-included", two)]
        tamper(hub)
        walton.worker_once()

        # (c) The hub rewrites one statement Walton has already seen logged.
        tamper(hub, rewrite=[leaf(hub, first[0])])
        walton.worker_once()
        assert walton_evidence()[3:] == [("inconsistent", "-")]
        tamper(hub)
        walton.worker_once()

        # (d) A split view: Anfield is shown a tree where Walton's newest statement is
        # rewritten, Walton the true one; each tree is consistent for the group shown it.
        theirs = endorse(anfield, "anfield", "Hal")
        anfield.worker_once()
        ours = endorse(walton, "walton", "Ivy")
        walton.worker_once()
        sign(hub)
        walton.worker_once()
        tamper(hub, rewrite=[leaf(hub, ours)])
        anfield.worker_once()
        assert evidence(anfield) == []  # its own statement is there: nothing to see alone
        assert leaf(hub, theirs) < leaf(hub, ours)
        tamper(hub)
        walton.worker_once()  # compares with what Anfield verified
        assert walton_evidence()[4:] == [("split-view", "-")]
        anfield.worker_once()  # shown the other tree now, Anfield catches it too
        assert evidence(anfield) == [("inconsistent", "-")]

        doctor = walton.cli("doctor", check=False).stdout
        assert "hub log: walton: 5 piece(s) of evidence" in doctor, doctor
