"""The ``commonground`` group: lazy commands that cannot go missing, a light start, exit codes.

Start-up *time* is measured by ``bench/tally.py --processes`` (docs/performance.md), never
asserted here; these tests pin what makes it fast: which modules a command imports.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from node.cli import cli
from node.cli.lazy import COMMANDS, SECTIONS, load

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent / "commonground"
# What a command that needs no install must not import (each costs 50-300 ms at start-up).
WEB_STACK = ("flask", "flask_sqlalchemy", "sqlalchemy", "alembic", "joserfc", "werkzeug", "jinja2")
FOOD = '3 1\n4 1 0\n2 2 1 0\n3 3 0\n0\n"Orange"\n"Pear"\n"Chocolate"\n"Food"\n'


def real_commands() -> dict[str, click.Command]:
    """Every top-level command, found the eager way: each module's ``COMMANDS`` list."""
    import importlib

    from node.app import room_names

    modules = [
        "node.cli.setup",
        "node.cli.members",
        "node.cli.serve",
        "node.demo.federation",
        "node.demo",
        "node.ops.commands",
    ]
    for room in room_names():
        if importlib.util.find_spec(f"node.{room}.commands") is not None:
            modules.append(f"node.{room}.commands")
    found: dict[str, click.Command] = {}
    for name in modules:
        for command in importlib.import_module(name).COMMANDS:
            assert command.name not in found, f"two commands named {command.name!r}"
            found[command.name] = command
    return found


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    full_env.pop("COMMONGROUND_DATABASE_URL", None)  # the instance's own SQLite file
    return subprocess.run(
        [str(BIN), *args],
        env=full_env,
        text=True,
        capture_output=True,
        timeout=120,
    )


def imported(*argv: str) -> set[str]:
    """Modules a process imported (``python -X importtime``), with their top-level packages."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *argv],
        cwd=REPO,
        text=True,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    names = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", result.stderr, re.M)
    assert names, "no -X importtime lines: the check would pass vacuously"
    return {*names, *(name.split(".")[0] for name in names)}


# ----------------------------------------------------------------------------- the lazy table
def test_lazy_table_names_every_real_command_with_its_help() -> None:
    real = real_commands()
    assert set(COMMANDS) == set(real), "node/cli/lazy.py COMMANDS is out of date"
    for name, entry in COMMANDS.items():
        assert load(name, entry) is real[name]
        assert entry.help == real[name].get_short_help_str(10_000), name
        assert entry.section in SECTIONS


def test_help_lists_every_command_under_a_section() -> None:
    result = run("--help")
    assert result.returncode == 0, result.stderr
    rows = re.findall(r"^  ([a-z][\w-]*) {2,}\S", result.stdout, re.M)
    assert sorted(rows) == sorted(real_commands())
    for section in SECTIONS:
        assert f"\n{section}:\n" in result.stdout


def test_no_flask_development_options_or_duplicate_serve() -> None:
    result = run("--help")
    for flask_only in ("--app", "--env-file", "--debug"):  # commands: the test above
        assert flask_only not in result.stdout
    assert [run(name).returncode for name in ("run", "shell", "routes")] == [2, 2, 2]


def test_every_command_and_subcommand_explains_itself() -> None:
    """Each --help works through our group (commands that need an app do not build one)."""

    def walk(command: click.Command, path: list[str]) -> list[list[str]]:
        paths = [path]
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                paths += walk(sub, [*path, name])
        return paths

    for name, command in real_commands().items():
        for path in walk(command, [name]):
            result = CliRunner().invoke(cli, [*path, "--help"])
            assert result.exit_code == 0, (path, result.output)
            assert result.output.startswith(f"Usage: cli {' '.join(path)} ")


def test_no_command_uses_flasks_own_app_context_decorator() -> None:
    """flask.cli.with_appcontext needs a FlaskGroup at the top; ours is a plain click group."""
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "node").rglob("*.py")
        if "flask.cli import with_appcontext" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


# ----------------------------------------------------------------------------- a light start
def test_importing_the_cli_loads_no_web_stack() -> None:
    assert not imported("-c", "import node.cli") & set(WEB_STACK)


@pytest.mark.parametrize(
    "args", [["--help"], ["--version"], ["tally", "--help"]], ids=["help", "version", "tally-help"]
)
def test_help_version_and_tally_help_load_no_web_stack(args: list[str]) -> None:
    assert not imported(str(BIN), *args) & set(WEB_STACK)


def test_tally_counts_without_the_web_stack_or_other_methods(tmp_path: Path) -> None:
    blt = tmp_path / "food.blt"
    blt.write_text(FOOD)
    modules = imported(str(BIN), "tally", str(blt), "--method", "scottish-stv")
    assert "node.ballots.counting.scottish" in modules
    assert not modules & set(WEB_STACK)
    others = {f"node.ballots.counting.{name}" for name in ("meek", "simple", "motion")}
    assert not modules & others, "tally imports only the counter it runs"


# ----------------------------------------------------------------------------- exit codes
def test_exit_codes_ok_failure_usage(tmp_path: Path) -> None:
    blt = tmp_path / "food.blt"
    blt.write_text(FOOD)
    ok = run("tally", str(blt), "--method", "irv")
    assert (ok.returncode, ok.stdout.splitlines()[1]) == (0, "  1. Orange")
    missing = run("tally", str(tmp_path / "missing.blt"), "--method", "irv")
    assert missing.returncode == 1
    assert missing.stderr.startswith("Error: cannot read ")
    assert run("tally", str(blt), "--method", "no-such-method").returncode == 2
    assert run("no-such-command").returncode == 2
    assert run("--no-such-option").returncode == 2


def test_an_invalid_setting_is_a_usage_error(tmp_path: Path) -> None:
    env = {"COMMONGROUND_INSTANCE_PATH": str(tmp_path), "COMMONGROUND_SMTP_PORT": "abc"}
    result = run("group", "list", env=env)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: configuration: COMMONGROUND_SMTP_PORT")


@pytest.mark.slow  # whole CLI processes that each migrate a fresh database (~1 s apiece)
def test_migration_logs_only_with_verbose(tmp_path: Path) -> None:
    env = {"COMMONGROUND_INSTANCE_PATH": str(tmp_path / "quiet")}
    quiet = run("db", "upgrade", env=env)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "Database is up to date.\n", "")
    env = {"COMMONGROUND_INSTANCE_PATH": str(tmp_path / "verbose")}
    verbose = run("--verbose", "db", "upgrade", env=env)
    assert verbose.returncode == 0
    assert "INFO  [alembic.runtime.migration] Running upgrade" in verbose.stderr


@pytest.mark.slow  # whole CLI processes that each migrate a fresh database (~1 s apiece)
def test_restore_is_quiet_about_migrations_too(tmp_path: Path) -> None:
    source = {"COMMONGROUND_INSTANCE_PATH": str(tmp_path / "source")}
    assert run("init", "--group", "Walton", "--admin", "a@example.org", env=source).returncode == 0
    archive = tmp_path / "walton.tar.gz"
    backup = run("backup", str(archive), env=source)
    assert backup.returncode == 0, backup.stderr
    target = {"COMMONGROUND_INSTANCE_PATH": str(tmp_path / "target")}
    restored = run("restore", str(archive), env=target)
    assert restored.returncode == 0, restored.stderr
    assert "INFO" not in restored.stderr
    assert restored.stdout.startswith("Restored the backup of ")
