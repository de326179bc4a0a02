"""The suite's own shape, as a newcomer and CI see it: warnings are errors, a test skipped for a
missing system tool is folded into one closing line with the install command (and fails the run
on CI), any other skip is still listed, and slow tests are marked wherever they live.

The hooks are in ``tests/conftest.py``; they are exercised here on a small sample test file run by
a real pytest in a subprocess, with the project's own configuration (``-c pyproject.toml``) and
``tests.conftest`` loaded as a plugin.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SAMPLE = """
import pytest

from tests.support import tools


@pytest.fixture
def browser():
    return None  # stands in for the real fixture: only its name matters here


@pytest.mark.parametrize("n", [1, 2])
def test_needs_chromium(n):
    pytest.skip(tools.reason("chromium"))


@tools.needs("caddy")
def test_needs_caddy():
    pytest.skip(tools.reason("caddy"))  # skips here even where caddy is installed


def test_waits_for_something_else():
    pytest.skip("waiting for the federation room")


def test_drives_a_browser(browser):
    pass


def test_plain():
    pass
"""


def run_sample(tmp_path: Path, *args: str, ci: bool = False) -> subprocess.CompletedProcess[str]:
    sample = tmp_path / "test_sample.py"
    sample.write_text(SAMPLE)
    (tmp_path / "e2e").mkdir()
    (tmp_path / "e2e" / "test_end_to_end.py").write_text("def test_starts_servers():\n    pass\n")
    env = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("PYTEST_")}
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(ROOT)]
        + ["-p", "tests.conftest", "-p", "no:cacheprovider", "-p", "no:randomly", *args]
        + [str(sample), str(tmp_path / "e2e")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_a_warning_is_an_error_here() -> None:
    with pytest.raises(DeprecationWarning):
        warnings.warn("an old way of doing it", DeprecationWarning, stacklevel=1)


def test_tool_skips_end_the_run_in_one_line_other_skips_stay_listed(tmp_path: Path) -> None:
    done = run_sample(tmp_path, "-m", "not slow")
    out = done.stdout
    assert done.returncode == 0, out + done.stderr
    assert "2 deselected" in out, "tests in e2e/ and tests using the browser fixture are slow"
    lines = out.splitlines()
    hint = [line for line in lines if "needing system tools" in line]
    assert hint == [
        "skipped 3 tests needing system tools: caddy, chromium — install with: "
        "sudo apt-get install caddy chromium (CI does: .ci/run)"
    ], out
    assert not any("needs system tool" in line for line in lines), "no line per tool skip"
    assert any(
        line.startswith("SKIPPED [1] ") and line.endswith(": waiting for the federation room")
        for line in lines
    ), out
    last = [line for line in lines if line.strip()][-1]
    assert "1 passed, 4 skipped, 2 deselected" in last, out
    assert lines.index(hint[0]) > max(i for i, line in enumerate(lines) if "SKIPPED" in line)


def test_on_ci_a_tool_skip_fails_the_run(tmp_path: Path) -> None:
    done = run_sample(tmp_path, "-k", "caddy or plain or servers", ci=True)
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "skipped 1 test needing system tools: caddy — install with: sudo apt-get install caddy"
        " (CI does: .ci/run) — on CI (CI=true) no test may skip for a missing tool: this run FAILS"
    ) in done.stdout
