"""The `commonground` command: init, groups, invitations; one-line errors and non-zero exits."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent / "commonground"


def run(
    instance: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "COMMONGROUND_INSTANCE_PATH": str(instance), **(env or {})}
    full_env.pop("COMMONGROUND_DATABASE_URL", None)
    return subprocess.run(
        [str(BIN), *args], env=full_env, text=True, capture_output=True, timeout=120
    )


@pytest.mark.slow
def test_init_creates_group_and_link_then_refuses_to_run_again(tmp_path):
    first = run(
        tmp_path,
        "init",
        "--group",
        "Walton Momentum",
        "--admin",
        "sam@example.org",
        "--url",
        "https://walton.example.org",
    )
    assert first.returncode == 0, first.stderr
    assert "https://walton.example.org/invite/" in first.stdout
    assert (tmp_path / "commonground.db").exists()
    second = run(tmp_path, "init", "--group", "Other", "--admin", "x@example.org")
    assert second.returncode != 0
    assert "already initialised" in second.stderr
    listing = run(tmp_path, "group", "list")
    assert listing.stdout.strip().splitlines() == [
        "walton-momentum\tnode\thttps://walton.example.org\tWalton Momentum"
    ]
    added = run(
        tmp_path,
        "group",
        "create",
        "--group",
        "Anfield Left",
        "--slug",
        "anfield",
        "--url",
        "https://anfield.example.org",
        "--admin",
        "a@example.org",
    )
    assert added.returncode == 0 and "https://anfield.example.org/invite/" in added.stdout
    clash = run(
        tmp_path,
        "group",
        "create",
        "--group",
        "Anfield Again",
        "--slug",
        "anfield",
        "--admin",
        "a@example.org",
    )
    assert clash.returncode != 0
    assert (
        clash.stderr.strip().splitlines()[-1]
        == "Error: A group with slug 'anfield' already exists."
    )
    invite = run(
        tmp_path,
        "invite",
        "new@example.org",
        "--role",
        "organiser",
        "--group",
        "anfield",
        env={"COMMONGROUND_MAIL_ENABLED": "false"},
    )
    assert invite.returncode == 0 and invite.stdout.startswith(
        "https://anfield.example.org/invite/"
    )
    bad_config = run(tmp_path, "group", "list", env={"COMMONGROUND_SMTP_PORT": "abc"})
    assert bad_config.returncode != 0
    assert "COMMONGROUND_SMTP_PORT" in bad_config.stderr


def test_init_in_process_and_bad_url(app, runner):
    result = runner.invoke(
        args=["init", "--group", "Walton", "--admin", "sam@example.org", "--url", "not a url"]
    )
    assert result.exit_code != 0
    assert "must be an http(s) address" in result.output
    ok = runner.invoke(args=["init", "--group", "Walton", "--admin", "sam@example.org"])
    assert ok.exit_code == 0, ok.output
    assert "/invite/" in ok.output


def test_help_explains_each_command(runner):
    for command in (
        ["init"],
        ["group", "create"],
        ["invite"],
        ["members", "import"],
        ["members", "export"],
        ["serve"],
        ["db", "upgrade"],
    ):
        result = runner.invoke(args=[*command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output
