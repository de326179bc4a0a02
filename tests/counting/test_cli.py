"""The ``tally`` command: via click's CliRunner and via ``python -m``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from node.ballots.counting.cli import tally
from tests.support.blt import FOOD

REPO = Path(__file__).resolve().parents[2]
BAD = FOOD.replace("4 3 5 0", "4 3 9 0")


@pytest.fixture
def blt(tmp_path: Path) -> Path:
    path = tmp_path / "food.blt"
    path.write_text(FOOD)
    return path


def test_command_object_is_named_tally() -> None:
    assert tally.name == "tally"


def test_table_output(blt: Path) -> None:
    res = CliRunner().invoke(tally, [str(blt), "--method", "scottish-stv"])
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    assert lines[:4] == [
        "Elected (in order of election):",
        "  1. Chocolate",
        "  2. Orange",
        "  3. Strawberry",
    ]
    row = next(line for line in lines if line.startswith("Strawberry"))
    assert row.split()[1:] == ["1", "5", "5", "5"]
    assert any("Pear excluded" in line for line in lines)


def test_json_output_is_exactly_elected_and_rounds(blt: Path) -> None:
    res = CliRunner().invoke(tally, [str(blt), "--method", "meek-stv", "--json", "--seed", "3"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert set(data) == {"elected", "rounds"}
    # Meek's quota is 20/4 = 5 (+1e-9), not 6, so Strawberry (1 + 8 x 7/12 = 5.67)
    # is elected on Chocolate's surplus, before Orange (who needs Pear's papers).
    assert data["elected"] == ["Chocolate", "Strawberry", "Orange"]
    assert data["rounds"][0]["round"] == 1


def test_seats_override(blt: Path) -> None:
    res = CliRunner().invoke(tally, [str(blt), "--method", "fptp", "--seats", "1", "--json"])
    assert json.loads(res.output)["elected"] == ["Chocolate"]


def test_malformed_file_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.blt"
    path.write_text(BAD)
    res = CliRunner().invoke(tally, [str(path), "--method", "irv"])
    assert res.exit_code != 0
    assert res.output.strip() == "Error: line 5: preference 9 is not a candidate (1-5)"


def test_unreadable_file(tmp_path: Path) -> None:
    res = CliRunner().invoke(tally, [str(tmp_path / "missing.blt"), "--method", "irv"])
    assert res.exit_code != 0
    out = res.output.strip()
    assert out.startswith("Error: cannot read") and "missing.blt" in out
    assert len(out.splitlines()) == 1


def test_irv_on_multi_seat_file_needs_one_seat(blt: Path) -> None:
    res = CliRunner().invoke(tally, [str(blt), "--method", "irv"])
    assert res.exit_code != 0 and "exactly one" in res.output
    ok = CliRunner().invoke(tally, [str(blt), "--method", "irv", "--seats", "1", "--json"])
    assert json.loads(ok.output)["elected"] == ["Chocolate"]


def _run_module(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node.ballots.counting", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_python_dash_m(blt: Path, tmp_path: Path) -> None:
    res = _run_module(str(blt), "--method", "scottish-stv", "--json")
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout)["elected"] == ["Chocolate", "Orange", "Strawberry"]
    bad = tmp_path / "bad.blt"
    bad.write_text(BAD)
    res = _run_module(str(bad), "--method", "scottish-stv")
    assert res.returncode != 0
    assert res.stderr.strip() == "Error: line 5: preference 9 is not a candidate (1-5)"


def test_cli_imports_nothing_web() -> None:
    code = (
        "import sys, node.ballots.counting.cli; "
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('flask', 'sqlalchemy', 'werkzeug', 'jinja2', 'requests')]; print(bad)"
    )
    res = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert res.stdout.strip() == "[]", res.stderr
