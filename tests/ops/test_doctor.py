"""`commonground doctor` says OK/WARN/FAIL with what to do, and exits non-zero only on FAIL."""

from __future__ import annotations

import json
import re
import secrets
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from node import clock
from node.cli import cli
from tests.support.smtp import free_port


@pytest.fixture
def doctor_env(monkeypatch, app, database, group):  # type: ignore[no-untyped-def]
    """The doctor builds its own app from the environment, as on a server."""
    monkeypatch.setenv("COMMONGROUND_INSTANCE_PATH", app.instance_path)
    monkeypatch.setenv("COMMONGROUND_DATABASE_URL", database.url)
    monkeypatch.setenv("COMMONGROUND_SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("COMMONGROUND_ALLOW_PRIVATE_PEERS", "true")  # its "peers" are on loopback
    return Path(app.instance_path)


def doctor(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["doctor", *args])


class _Peer(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = json.dumps({"software": "commonground"}).encode()
        self.send_response(200)  # sends the Date header from the real clock
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def peer():  # type: ignore[no-untyped-def]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_healthy_install_passes(doctor_env, peer):
    result = doctor("--peer", peer)
    assert result.exit_code == 0, result.output
    for check in ("config", "database", "migrations", "groups", "disk", "reach", "clock"):
        assert f"OK   {check}:" in result.output, result.output
    assert "WARN backups: no backup" in result.output
    assert "All essential checks passed." in result.output


def test_a_key_readable_by_others_fails_with_the_fix(doctor_env):
    key = doctor_env / "keys" / "walton" / "abc.key"
    key.parent.mkdir(parents=True, exist_ok=True)
    key.write_text("not really a key")
    key.chmod(0o644)
    result = doctor()
    assert result.exit_code == 1
    assert f"FAIL keys: {key} is readable by others (mode 644)" in result.output
    assert f"-> chmod 600 {key}" in result.output


def test_clock_skew_against_a_peer_fails(doctor_env, peer):
    clock.advance(timedelta(minutes=10))
    result = doctor("--peer", peer)
    assert result.exit_code == 1
    # the Date header has whole seconds: 10 minutes, give or take one
    assert re.search(r"FAIL clock: (599|600|601) s off", result.output), result.output
    assert "timedatectl set-ntp true" in result.output


def test_an_unreachable_peer_is_a_warning(doctor_env):
    result = doctor("--peer", f"http://127.0.0.1:{free_port()}")
    assert result.exit_code == 0, result.output
    assert "WARN reach:" in result.output and "connection failed" in result.output


def test_a_database_without_tables_and_a_bad_setting(monkeypatch, tmp_path):
    monkeypatch.setenv("COMMONGROUND_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("COMMONGROUND_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    result = doctor()
    assert result.exit_code == 1
    assert "FAIL migrations: the database has no tables yet" in result.output
    assert "commonground db upgrade" in result.output

    monkeypatch.setenv("COMMONGROUND_SMTP_PORT", "twenty-five")
    bad = doctor()
    assert bad.exit_code == 1
    assert "FAIL config: COMMONGROUND_SMTP_PORT" in bad.output


def test_autovacuum_is_checked_on_postgresql(doctor_env, database):
    result = doctor()
    if database.url.startswith("sqlite"):
        assert not re.search(r"^\S+ +autovacuum:", result.output, re.MULTILINE), result.output
        return
    from sqlalchemy import create_engine, text

    engine = create_engine(database.url)
    with engine.connect() as conn:
        setting = conn.execute(text("SHOW autovacuum")).scalar()
    engine.dispose()
    if setting == "on":
        assert "OK   autovacuum: on" in result.output, result.output
    else:
        assert "WARN autovacuum: off" in result.output, result.output
        assert "-> set `autovacuum = on` in postgresql.conf" in result.output


@pytest.mark.parametrize(
    ("secret", "problem"),
    [
        ("change-me-to-a-long-random-value", "is a placeholder value"),  # the old .env.example
        ("CHANGE_ME_" + "a1b2c3d4e5f6g7h8i9j0k" * 2, "is a placeholder value"),
        ("x" * 48, "is not random"),
        ("abcdefghijklmnopqrstuvwxyz", "is shorter than 32 characters"),
    ],
)
def test_a_guessable_secret_key_fails_with_how_to_generate_one(
    doctor_env, monkeypatch, secret, problem
):
    """A public or guessable session key lets anyone forge a member's session cookie."""
    monkeypatch.setenv("COMMONGROUND_SECRET_KEY", secret)
    result = doctor()
    assert result.exit_code == 1, result.output
    assert f"FAIL secret key: COMMONGROUND_SECRET_KEY {problem}" in result.output, result.output
    assert "secrets.token_urlsafe(48)" in result.output
    assert secret not in result.output  # never echo a secret
    assert "OK   database:" in result.output  # the other checks still ran


def test_a_guessable_generated_secret_file_fails(doctor_env, monkeypatch):
    monkeypatch.delenv("COMMONGROUND_SECRET_KEY")
    key = doctor_env / "secret_key"
    key.write_text("change-me\n")
    key.chmod(0o600)
    result = doctor()
    assert result.exit_code == 1, result.output
    assert f"FAIL secret key: {key} is a placeholder value" in result.output, result.output
    assert f"-> delete {key} and restart" in result.output


def test_free_space_below_the_threshold_is_a_warning_with_the_setting(doctor_env, monkeypatch):
    monkeypatch.setenv("COMMONGROUND_MIN_FREE_MB", str(10**9))  # a petabyte: never free
    result = doctor()
    assert result.exit_code == 0, result.output
    assert re.search(r"^WARN disk: instance folder \S+: [\d.]+ GB free of", result.output, re.M)
    assert "the threshold is COMMONGROUND_MIN_FREE_MB" in result.output
    # the SQLite file's folder is on the same file system here: one line, not two
    assert len(re.findall(r"^\S+ +disk:", result.output, re.M)) == 1, result.output
