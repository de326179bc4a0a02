"""The code base keeps its shape: ruff (lint and format), mypy over node/ and federation/, the
import contracts (import-linter), and two rules no tool checks for us.

Run as part of the suite so that CI, which runs only `make test`, also guards them; the same
commands run from `make lint` and `.pre-commit-config.yaml`.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PACKAGES = ("node", "federation")


def _tool(name: str) -> str:
    path = BIN / name
    if path.exists():
        return str(path)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (make install brings it)")
    return found


def _sources() -> list[Path]:
    return [
        path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.relative_to(ROOT).parts
    ]


@pytest.mark.parametrize(
    "args",
    [["check", "."], ["format", "--check", "."]],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff(args: list[str]) -> None:
    result = subprocess.run([_tool("ruff"), *args], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


def test_mypy() -> None:
    """node/ at mypy's default strictness, federation/ at --strict (pyproject.toml)."""
    result = subprocess.run([_tool("mypy")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]


def test_import_contracts() -> None:
    """Layers, no cycles, private modules, federation/ free of node/ (pyproject.toml)."""
    result = subprocess.run(
        [_tool("lint-imports"), "--no-cache"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


def test_no_type_ignore_comments() -> None:
    """A type error is fixed, not silenced: mypy checks every line it is shown."""
    pattern = re.compile(r"#\s*type:\s*ignore")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line)
    ]
    assert not found, f"`# type: ignore` in: {found}"


def test_no_private_names_imported_across_modules() -> None:
    """``from node.x import _helper`` couples two modules through a name one of them promised
    to keep to itself; a name another module needs is public."""
    found = []
    for path in _sources():
        for statement in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(statement, ast.ImportFrom) or statement.level:
                continue
            if not (statement.module or "").startswith(PACKAGES):
                continue
            for alias in statement.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path.relative_to(ROOT)}: {statement.module}.{alias.name}")
    assert not found, f"private names imported from another module: {found}"


def test_pre_commit_runs_the_same_checks() -> None:
    """The hooks a developer runs before committing are the checks CI runs here."""
    config = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    entries = [line.split("entry:", 1)[1] for line in config.splitlines() if "entry:" in line]
    for command in ("ruff check", "ruff format --check", "mypy", "lint-imports"):
        assert any(command in entry for entry in entries), f"no pre-commit hook runs {command}"
