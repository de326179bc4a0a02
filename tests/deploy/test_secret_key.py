"""The app refuses to start with a guessable session key (a public placeholder, short or
repetitive): with it anyone could forge a signed-in member's session cookie and CSRF token.

Tests (TESTING=True) sign with a fixed key on purpose and are not checked; ``make run``'s demo
and a default install generate a random key into the instance folder.
"""

from __future__ import annotations

import re
import secrets
from pathlib import Path

import pytest

from node import create_app
from node.config import ConfigError, secret_key_problem

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SHIPPED_PLACEHOLDER = "change-me-to-a-long-random-value"  # deploy/.env.example until issue 13


@pytest.mark.parametrize(
    "secret",
    [SHIPPED_PLACEHOLDER, "changeme" * 5, "replace-me-with-something-long-and-random!", "x" * 64],
)
def test_a_placeholder_secret_key_stops_start_up(tmp_path, monkeypatch, secret):
    monkeypatch.setenv("COMMONGROUND_SECRET_KEY", secret)
    with pytest.raises(ConfigError) as refused:
        create_app({"INSTANCE_PATH": str(tmp_path)})
    message = str(refused.value)
    assert message.startswith("COMMONGROUND_SECRET_KEY ")
    assert "secrets.token_urlsafe(48)" in message  # says how to make a good one
    assert secret not in message


def test_a_guessable_generated_key_file_stops_start_up(tmp_path):
    (tmp_path / "secret_key").write_text("secret\n")
    with pytest.raises(ConfigError, match=re.escape(str(tmp_path / "secret_key"))):
        create_app({"INSTANCE_PATH": str(tmp_path)})


def test_a_random_key_starts_and_the_generated_one_is_random(tmp_path, monkeypatch):
    monkeypatch.setenv("COMMONGROUND_SECRET_KEY", secrets.token_urlsafe(48))
    create_app({"INSTANCE_PATH": str(tmp_path / "a")})
    monkeypatch.delenv("COMMONGROUND_SECRET_KEY")
    app = create_app({"INSTANCE_PATH": str(tmp_path / "b")})  # as `make run` and install.sh
    assert secret_key_problem(app.config["SECRET_KEY"]) is None
    for _ in range(200):  # what the docs tell people to run is never refused
        assert secret_key_problem(secrets.token_urlsafe(48)) is None
        assert secret_key_problem(secrets.token_hex(16)) is None


def test_env_example_ships_no_usable_secret():
    settings = dict(
        line.split("=", 1)
        for line in (DEPLOY / ".env.example").read_text().splitlines()
        if re.match(r"^[A-Z_]+=", line)
    )
    value = settings["COMMONGROUND_SECRET_KEY"]
    assert value == "" or secret_key_problem(value) is not None
