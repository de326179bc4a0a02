"""``commonground log verify`` against a running hub: a hub and a group as two real installs
(gunicorn, own SQLite and keys each). The group publishes, its worker pushes to the hub, the
group cosigns the hub's checkpoint with its own key (its witness does too), and the command,
run as a separate process from outside both installs, rebuilds the log and reports the
cosignature. Then one byte of a logged statement is changed in the hub's database: the same
command fails with one sentence and a non-zero exit."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest

from tests.e2e.test_hub_e2e import endorse
from tests.support.server import BIN, Install

pytestmark = pytest.mark.slow

COSIGN = """
import requests
from federation.tlog import checkpoint as tcp
from federation.tlog.names import witness_name
from node.groups.models import Group
from node.extensions import db
from node.peering import keystore
from sqlalchemy import select

group = db.session.scalar(select(Group))
served = requests.get("{hub}/hub/log/checkpoint", timeout=30).text
checkpoint = tcp.parse_checkpoint(served[: served.index("\\n\\n") + 1])
signer = tcp.CosignatureSigner(
    witness_name(group.url), keystore.private_key(group, keystore.current_key(group))
)
line = tcp.cosign(checkpoint, signer, 1764892800).line()
posted = requests.post(
    "{hub}/hub/log/cosignature",
    json={{"checkpoint": checkpoint.text(), "cosignature": line}},
    timeout=30,
)
print(posted.status_code, checkpoint.size)
"""


def _verify(hub: Install, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "commonground"), "log", "verify", hub.url, *extra],
        text=True,
        capture_output=True,
        timeout=300,
        env={"PATH": str(BIN), "HOME": str(hub.instance)},  # no install of its own
    )


def test_log_verify_rebuilds_a_running_hubs_log(tmp_path):  # type: ignore[no-untyped-def]
    with Install(tmp_path / "hub") as hub, Install(tmp_path / "walton") as walton:
        hub.cli("init", "--group", "National Hub", "--slug", "hub", "--url", hub.url,
                "--role", "hub", "--admin", "officer@hub.example.org")  # fmt: skip
        hub.start()
        walton.init("Walton", slug="walton")
        walton.start()
        token = hub.cli("hub", "enrol-token", "--name", "Walton", "--region", "North West")
        walton.cli("hub", "join", hub.url, "--token", token.stdout.split()[0], "--group", "walton")
        endorse(walton, "walton", "Sam Ortiz", "GM/1")
        endorse(walton, "walton", "Ann Lee", "GM/2")
        walton.worker_once()
        assert walton.python(COSIGN.format(hub=hub.url)).split() == ["202", "2"]

        result = _verify(hub)
        assert result.returncode == 0, result.stderr
        lines = result.stdout.splitlines()
        origin = hub.url.removeprefix("http://") + "/log"
        assert lines[0].startswith(f"log key: {origin}+")
        assert lines[1].startswith(f"checkpoint: {origin}, size 2, root ")
        assert lines[2] == "entries: 2 fetched; the rebuilt tree has the checkpoint's root"
        witness = walton.url.removeprefix("http://")
        # The group's witness (its worker) may have cosigned a moment later: the newest stays.
        # walton's entries checked with the keys walton's own node serves
        assert lines[3] == (
            "signatures: 2 entries of 1 group valid with the keys each group publishes; "
            "each group's entries form its chain"
        )
        assert lines[4].startswith(f"cosignature by {witness} at ") and lines[4].endswith(": valid")
        assert lines[-1] == "log verified"
        pinned = _verify(hub, "--key", lines[0].split()[2])
        assert pinned.returncode == 0 and "(pinned)" in pinned.stdout

        with sqlite3.connect(hub.instance / "commonground.db") as conn:
            row_id, compact = conn.execute(
                "SELECT s.id, s.compact FROM federation_statements s"
                " JOIN hub_log_leaves l ON l.statement_pk = s.id ORDER BY l.leaf_index LIMIT 1"
            ).fetchone()
            head, payload, sig = compact.split(".")
            flipped = ("A" if payload[5] != "A" else "B").join((payload[:5], payload[6:]))
            conn.execute(
                "UPDATE federation_statements SET compact = ? WHERE id = ?",
                (f"{head}.{flipped}.{sig}", row_id),
            )
        broken = _verify(hub)
        assert broken.returncode == 1
        assert broken.stderr.startswith("Error: The log does not check out: the 2 entries")
        assert len(broken.stderr.strip().splitlines()) == 1 and "Traceback" not in broken.stderr
        other_key = _verify(hub, "--key", "x")
        assert other_key.returncode == 1 and "not the pinned" in other_key.stderr
