"""The national hub and three groups as four real installs (gunicorn, own SQLite and keys each).

Enrolment with tokens over HTTP, endorsements pushed by ``worker --once`` and counted, a group
offline while it publishes and then caught up by the hub's sweep (its own worker never ran), a
retraction and a suspension taken out of the counts, and one byte changed inside the hub's
database found by ``commonground hub audit``. Deterministic: workers and sweeps are one-shot
subprocesses; time is moved with COMMONGROUND_TEST_CLOCK_OFFSET, never waited for.
"""

from __future__ import annotations

import re
import sqlite3
from typing import Any

import pytest

from tests.support.server import Install

pytestmark = pytest.mark.slow
LATER = {"COMMONGROUND_TEST_CLOCK_OFFSET": str(8 * 3600)}  # past any backoff
GROUPS = [("Walton", "walton", "North West"), ("Anfield", "anfield", "North West"),
          ("Hersham", "hersham", "South East")]  # fmt: skip


def endorse(node: Install, slug: str, name: str, minute: str) -> str:
    out = node.cli(
        "endorse", "candidate", "--group", slug, "--name", name, "--office", "Mayor",
        "--area", "Liverpool City Region", "--election-date", "2026-05-07",
        "--meeting-date", "2026-01-15", "--minute", minute,
    ).stdout  # fmt: skip
    return re.search(r"\(([0-9a-f-]{36})\)", out).group(1)


def candidates(hub: Install) -> dict[str, dict[str, Any]]:
    items = hub.get("/api/v1/candidates", params={"per_page": 100}).json()["items"]
    return {c["name"]: c for c in items}


def endorsed_by(hub: Install, name: str) -> dict[str, dict[str, Any]]:
    ident = candidates(hub)[name]["id"]
    rows = hub.get(f"/api/v1/candidates/{ident}").json()["endorsed_by"]
    return {row["group_name"]: row for row in rows}


def groups(hub: Install) -> dict[str, dict[str, Any]]:
    return {g["name"]: g for g in hub.get("/api/v1/groups").json()["items"]}


def test_hub_and_three_groups(tmp_path):
    with (
        Install(tmp_path / "hub") as hub,
        Install(tmp_path / "walton") as walton,
        Install(tmp_path / "anfield") as anfield,
        Install(tmp_path / "hersham") as hersham,
    ):
        nodes = {"walton": walton, "anfield": anfield, "hersham": hersham}
        hub.cli("init", "--group", "National Hub", "--slug", "hub", "--url", hub.url,
                "--role", "hub", "--admin", "officer@hub.example.org")  # fmt: skip
        hub.start()
        for name, slug, region in GROUPS:
            node = nodes[slug]
            node.init(name, slug=slug)
            node.start()
            token = hub.cli("hub", "enrol-token", "--name", name, "--region", region)
            token = token.stdout.strip().splitlines()[0]
            assert token.startswith("cgt_")
            joined = node.cli("hub", "join", hub.url, "--token", token, "--group", slug)
            assert "Enrolled at National Hub" in joined.stdout
            # a token is single use
            again = node.cli("hub", "join", hub.url, "--token", token, "--group", slug, check=False)
            assert again.returncode != 0 and "already been used" in again.stderr
        assert {g["status"] for g in groups(hub).values()} == {"active"}
        # The signed registry vouches for every group's key.
        registry = hub.get("/hub/registry").json()["items"]
        assert len(registry) == 1

        # Pushed: Walton and Anfield endorse; their workers deliver to the hub's inbox.
        retract_me = endorse(walton, "walton", "Sam Ortiz", "GM/1")
        endorse(anfield, "anfield", "Sam Ortiz", "GM/4")
        walton.worker_once()
        anfield.worker_once()
        assert candidates(hub)["Sam Ortiz"]["endorsements"] == 2

        # Hersham is offline (server stopped) while it publishes; its worker never runs.
        hersham.stop()
        endorse(hersham, "hersham", "Sam Ortiz", "GM/9")
        endorse(hersham, "hersham", "Jo Rahman", "GM/10")
        swept = hub.cli("hub", "sweep")
        assert swept.stdout.startswith("0 statements stored")
        assert groups(hub)["Hersham"]["sweep_failures"] == 1
        assert "Jo Rahman" not in candidates(hub)
        hersham.start()
        swept = hub.cli("hub", "sweep", env=LATER)  # past the pull backoff
        assert swept.stdout.startswith("2 statements stored"), swept.stdout
        counts = candidates(hub)
        assert counts["Sam Ortiz"]["endorsements"] == 3 and counts["Jo Rahman"]["endorsements"] == 1
        assert groups(hub)["Hersham"]["sweep_failures"] == 0
        hersham.worker_once(env=LATER)  # its late pushes are harmless duplicates
        assert candidates(hub)["Sam Ortiz"]["endorsements"] == 3

        # A retraction takes Walton's endorsement out of the count.
        walton.cli("retract", retract_me, "--group", "walton", "--reason", "Candidate withdrew")
        walton.worker_once()
        assert candidates(hub)["Sam Ortiz"]["endorsements"] == 2
        # A suspended group's statements are kept but not counted.
        assert "Anfield is now suspended" in hub.cli("hub", "suspend", "Anfield").stdout
        assert candidates(hub)["Sam Ortiz"]["endorsements"] == 1
        rows = endorsed_by(hub, "Sam Ortiz")
        assert set(rows) == {"Walton", "Anfield", "Hersham"}
        assert rows["Walton"]["retracted"] and not rows["Walton"]["counted"]
        assert rows["Anfield"]["group_status"] == "suspended" and not rows["Anfield"]["counted"]
        assert rows["Hersham"]["counted"]

        # Audit: all good, then one byte changed in the hub's database is found.
        clean = hub.cli("hub", "audit")
        assert ", 0 problem(s)." in clean.stdout
        with sqlite3.connect(hub.instance / "commonground.db") as conn:
            row_id, issuer, seq, compact = conn.execute(
                "SELECT id, issuer, seq, compact FROM federation_statements"
                " WHERE type = 'candidate-endorsement' AND issuer = ? ORDER BY seq LIMIT 1",
                (hersham.url,),
            ).fetchone()
            head, payload, sig = compact.split(".")
            i = len(payload) // 2
            flipped = payload[:i] + ("A" if payload[i] != "A" else "B") + payload[i + 1 :]
            conn.execute(
                "UPDATE federation_statements SET compact = ? WHERE id = ?",
                (f"{head}.{flipped}.{sig}", row_id),
            )
        audit = hub.cli("hub", "audit", check=False)
        assert audit.returncode == 1, audit.stdout
        assert f"row {row_id} {issuer} seq {seq}: " in audit.stdout
        assert ", 1 problem(s)." in audit.stdout
