"""A full disk, for real: the instance folder and its SQLite database on a 16 MB tmpfs that is
then filled. Commands that write (``members import``, ``endorse``, ``backup``, ``ballots run-due``) end with
one sentence and a non-zero exit, no traceback; the web answers a POST with a 503 page, not a
500; nothing half-written is left (``PRAGMA integrity_check`` is ok, the all-or-nothing import
stored nothing), and once space is freed the same import goes through.

Mounting needs root (CI's containers and this project's machines run tests as root); elsewhere
the test is skipped with the reason. The simulated cases (a read-only file, a database that is
down, a dropped connection) run everywhere: tests/node/test_clean_failure.py.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.security import generate_password_hash

from tests.support.smtp import free_port

pytestmark = pytest.mark.slow
BIN = Path(sys.executable).parent / "commonground"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "disk"
    folder.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=16m,mode=700", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip() or 'not root'}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def _env(disk: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMONGROUND_")}
    return {
        **env,
        "COMMONGROUND_INSTANCE_PATH": str(disk),
        "COMMONGROUND_DATABASE_URL": f"sqlite:///{disk / 'node.db'}",
        "COMMONGROUND_SMTP_HOST": "127.0.0.1",
        "COMMONGROUND_SMTP_PORT": str(free_port()),  # nothing listens: no mail leaves
    }


def _run(disk: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args], env=_env(disk), text=True, capture_output=True, timeout=120
    )


def _fill(disk: Path) -> None:
    """Write a file until the disk refuses (ENOSPC)."""
    fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while os.write(fd, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(fd)


def _clean_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def test_a_full_disk_fails_cleanly_everywhere_and_leaves_the_database_intact(
    small_disk: Path, tmp_path: Path
) -> None:
    assert _run(small_disk, "init", "--group", "Walton", "--admin", "a@example.org").returncode == 0
    roster = tmp_path / "members.csv"
    rows = [f"Member {i},m{i}@example.org,{'x' * 300}" for i in range(3000)]
    roster.write_text("name,email,notes\n" + "\n".join(rows) + "\n")

    client, app = _signed_in_client(small_disk)
    _fill(small_disk)

    line = _clean_failure(_run(small_disk, "members", "import", "--group", "walton", str(roster)))
    assert "disk" in line and "try again" in line, line
    endorse = _run(
        small_disk,
        "endorse",
        "candidate",
        "--group",
        "walton",
        "--name",
        "Ann",
        "--office",
        "Council",
        "--area",
        "Ward",
        "--election-date",
        "2030-05-01",
        "--meeting-date",
        "2030-01-01",
        "--minute",
        "M/1",
    )
    _clean_failure(endorse)
    _clean_failure(_run(small_disk, "backup"))  # SQLite's own backup API, not SQLAlchemy
    run_due = _run(small_disk, "ballots", "run-due")
    if run_due.returncode != 0:  # nothing may be due; if it had to write, it fails cleanly
        _clean_failure(run_due)

    token = client.csrf_token("/profile", base_url="http://127.0.0.1:8000")
    response = client.post(
        "/profile",
        data={"csrf_token": token, "name": "Renamed"},
        base_url="http://127.0.0.1:8000",
    )
    assert response.status_code == 503, response.status_code
    assert response.headers["Retry-After"].isdigit()
    assert "Back in a moment" in response.get_data(as_text=True)
    _dispose(app)

    (small_disk / "filler").unlink()
    with sqlite3.connect(small_disk / "node.db") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM members").fetchone() == (
            1,
        )  # Olive: nothing imported
        assert conn.execute(
            "SELECT name FROM members WHERE email = 'o@example.org'"
        ).fetchone() == ("Olive",)
    conn.close()
    again = _run(small_disk, "members", "import", "--group", "walton", str(roster))
    assert again.returncode == 0, again.stderr


def _signed_in_client(disk: Path) -> tuple[Any, Any]:
    """The web app on the small disk, with an officer signed in (before the disk fills)."""
    from node import create_app
    from node.extensions import db
    from node.groups.models import Group
    from node.members.models import Account, Member
    from tests.support.fixtures import CsrfClient

    config = {k.removeprefix("COMMONGROUND_"): v for k, v in _env(disk).items()}
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": config["INSTANCE_PATH"],
            "SQLALCHEMY_DATABASE_URI": config["DATABASE_URL"],
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    app.test_client_class = CsrfClient
    with app.app_context():
        group = db.session.scalars(db.select(Group)).one()
        account = Account(
            email="o@example.org",
            password_hash=generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000"),
        )
        db.session.add(account)
        db.session.flush()
        db.session.add(
            Member(
                group_id=group.id,
                email="o@example.org",
                name="Olive",
                role="officer",
                account_id=account.id,
            )
        )
        db.session.commit()
    client = app.test_client()
    with app.app_context():
        client.sign_in("o@example.org", PASSWORD, base_url="http://127.0.0.1:8000")
    return client, app


def _dispose(app: Any) -> None:
    from node.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()
