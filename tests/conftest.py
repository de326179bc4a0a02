"""Shared fixtures: a real database per test worker (SQLite, or PostgreSQL when
``COMMONGROUND_TEST_PG`` is set), a fresh app per test, a CSRF-aware client, a real SMTP sink,
and factories. Modelled on flaskr's fixtures and CTFd's helpers.

Also the run's shape: which tests are ``slow`` (left out by ``make test-fast``), and one closing
line for the tests skipped because a system tool is missing (``tests/support/tools.py``) — or,
on CI, a failed run, since CI installs every tool and must not skip.
"""

from __future__ import annotations

import compileall
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import tools
from tests.support.db import TestDatabase
from tests.support.smtp import SmtpSink

pytest_plugins = ["tests.support.fixtures", "tests.support.browser"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the project's modules to bytecode once, before any test starts a process.

    The suite starts a few hundred ``commonground`` and gunicorn processes, each importing
    ~200 of our modules. Where ``PYTHONDONTWRITEBYTECODE`` is set (these machines set it), no
    process leaves its bytecode behind, so each compiled them all again: ~0.2 s of the ~1.6 s a
    ``commonground worker --once`` took. Existing ``__pycache__`` files are still read with the
    variable set; writing them here is the run's own choice (git ignores them)."""
    if hasattr(session.config, "workerinput"):
        return  # an xdist worker: the controller has done it
    root = Path(__file__).resolve().parent.parent
    for package in ("node", "federation", "tests"):
        compileall.compile_dir(root / package, quiet=1, workers=1)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: one worker more than the machine has cores. Much of the suite waits on
    processes it started (gunicorn, the CLI, the browser), so a core is often free: on a 2-core
    machine ``make test`` took 10 min 16 s with three workers against 11 min 29 s with two."""
    return (os.cpu_count() or 1) + 1


def pytest_report_header(config: pytest.Config) -> str:
    pg = os.environ.get("COMMONGROUND_TEST_PG")
    return f"commonground database backends: sqlite{', postgresql (' + pg + ')' if pg else ''}"


ONE_BACKEND = "either"


def _one_backend(item: pytest.Item) -> str | None:
    """The backend ``item`` runs on alone, or None for both.

    ``backend("postgresql")`` or ``backend("sqlite")``: the test concerns that database only.
    ``backend("either")``, and every test driving the browser: what it checks does not depend
    on the database (a page in chromium, a protocol between processes) and it costs tens of
    seconds, so it runs once, on PostgreSQL where the run has it (as CI does), else on SQLite.
    """
    marker = item.get_closest_marker("backend")
    name = marker.args[0] if marker is not None else None
    if name is None and "browser" in getattr(item, "fixturenames", ()):
        name = ONE_BACKEND
    if name == ONE_BACKEND:
        return "postgresql" if os.environ.get("COMMONGROUND_TEST_PG") else "sqlite"
    return name


def _other_backend(item: pytest.Item) -> bool:
    """A test for one backend, here parametrized for the other: left out at collection (not
    skipped, since there is nothing there to have missed)."""
    only = _one_backend(item)
    params = getattr(getattr(item, "callspec", None), "params", {})
    return only is not None and params.get("database", only) != only


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test in tests/e2e/ starts real processes, and every test using the ``browser``
    fixture drives chromium: both are ``slow`` (and ``browser``) wherever they live, so
    ``make test-fast`` (``-m "not slow"``) leaves them out without each file remembering to.
    Tests for one backend (:func:`_one_backend`) are left out on the other."""
    deselected = [item for item in items if _other_backend(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if item not in deselected]
    for item in items:
        if item.path.parent.name == "e2e":
            item.add_marker(pytest.mark.slow)
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.browser)


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skips(reporter: pytest.TerminalReporter) -> tuple[dict[str, int], list[str]]:
    """Tests skipped for a missing system tool (count per tool), and every other skip as pytest's
    ``-rs`` would list it (one line per place and reason, with a count)."""
    per_tool: dict[str, int] = {}
    others: dict[str, int] = {}
    for report in reporter.stats.get("skipped", []):
        longrepr = report.longrepr
        where, why = report.nodeid, str(longrepr)
        if isinstance(longrepr, tuple) and len(longrepr) == 3:
            where, why = f"{longrepr[0]}:{longrepr[1]}", str(longrepr[2])
        why = why.removeprefix("Skipped: ")
        tool = tools.tool_in(why)
        if tool is not None:
            per_tool[tool] = per_tool.get(tool, 0) + 1
        else:
            key = f"{where}: {why}"
            others[key] = others.get(key, 0) + 1
    return per_tool, [f"SKIPPED [{n}] {key}" for key, n in others.items()]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """On CI a tool-dependent test that skipped fails the run (the message is in the summary)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None or hasattr(session.config, "workerinput") or not _in_ci():
        return
    per_tool, _ = _skips(reporter)
    if per_tool and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, exitstatus: int, config: pytest.Config
) -> None:
    """Every skip that is not a missing tool, one line each; then ONE line for the tools.

    ``addopts`` asks pytest to list only failures, errors and xfails (``-rfExX``), so this is
    where skips are shown: a line per missing tool and place would otherwise push the one thing
    to do out of sight.
    """
    per_tool, others = _skips(terminalreporter)
    for line in others:
        terminalreporter.write_line(line, yellow=True)
    if not per_tool:
        return
    names = sorted(per_tool)
    count = sum(per_tool.values())
    line = (
        f"skipped {count} test{'s' if count != 1 else ''} needing system tools: "
        f"{', '.join(names)} — install with: {tools.install_command(names)} (CI does: .ci/run)"
    )
    if _in_ci():
        terminalreporter.write_line(
            f"{line} — on CI (CI=true) no test may skip for a missing tool: this run FAILS",
            red=True,
            bold=True,
        )
    else:
        terminalreporter.write_line(line, yellow=True, bold=True)


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return f"{worker}_{uuid.uuid4().hex[:8]}"


BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("COMMONGROUND_TEST_PG") else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, worker_id_safe: str
) -> Iterator[TestDatabase]:
    """One migrated database per backend and test worker; dropped at the end of the session.

    Every test that touches the database runs on SQLite, and again on PostgreSQL when
    ``COMMONGROUND_TEST_PG`` is set (CI sets it), so both backends are tested on every landing.
    """
    folder = tmp_path_factory.mktemp(f"db-{request.param}")
    pg_url = os.environ.get("COMMONGROUND_TEST_PG") if request.param == "postgresql" else None
    database = TestDatabase.create(pg_url, folder, worker_id_safe)
    try:
        database.migrate()
        yield database
    finally:
        database.drop()


@pytest.fixture(scope="session")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    return path
