"""Storage trouble fails cleanly: a command says one sentence and exits 1 (no traceback), the
web answers 503 with Retry-After (a page, or JSON on API paths) and logs why, and an
idempotent request that meets a dropped connection is retried once.

The full disk itself (a tmpfs instance folder) is tests/node/test_clean_failure_disk.py.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError, OperationalError

from node.errors import storage_trouble
from tests.support.smtp import free_port


def _operational(message: str, invalidated: bool = False) -> OperationalError:
    return OperationalError(
        "UPDATE members SET notes=? WHERE id=?",
        ("secret note", 1),
        Exception(message),
        connection_invalidated=invalidated,
    )


@pytest.mark.parametrize(
    ("exc", "what"),
    [
        (OSError(errno.ENOSPC, "No space left on device", "/srv/x"), "the disk is full"),
        (OSError(errno.EROFS, "Read-only file system"), "the disk is read-only"),
        (_operational("database or disk is full"), "the disk is full"),
        (_operational("disk I/O error"), "the database could not write to its disk"),
        (sqlite3.OperationalError("disk I/O error"), "the database could not write to its disk"),
        (_operational("attempt to write a readonly database"), "the database is read-only"),
        (_operational("database is locked"), "the database is busy"),
        (_operational("no such table: members"), "the database is not set up"),
        (
            _operational("connection failed: Connection refused"),
            "the database cannot be reached (it may be restarting)",
        ),
        (
            _operational("server closed the connection unexpectedly", invalidated=True),
            "the database cannot be reached (it may be restarting)",
        ),
    ],
)
def test_storage_trouble_is_named_without_sql_or_values(exc: BaseException, what: str) -> None:
    trouble = storage_trouble(exc)
    assert trouble is not None and trouble.what == what
    assert "secret" not in trouble.cause and "UPDATE" not in trouble.cause


@pytest.mark.parametrize(
    "exc",
    [
        ValueError("a bug"),
        OSError(errno.ECONNREFUSED, "Connection refused"),
        IntegrityError("INSERT", {}, Exception("UNIQUE constraint failed")),
        sqlite3.IntegrityError("UNIQUE constraint failed"),
    ],
)
def test_other_errors_are_not_storage_trouble(exc: BaseException) -> None:
    assert storage_trouble(exc) is None


# ----------------------------------------------------------------------------- commands
def _app_on(url: str, instance: Any, **config: Any) -> Any:
    from node import create_app

    return create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(instance), **config}
    )


def _one_clean_line(result: Any) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not an uncaught error
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.output
    return lines[0]


def test_a_command_on_a_read_only_database_says_one_sentence(tmp_path: Any) -> None:
    """A SQLite file of its own on either backend's run (PostgreSQL's case is the server that
    cannot be reached, below)."""
    from node.commands import migrate_upgrade
    from node.extensions import db

    path = tmp_path / "node.sqlite"
    writable = _app_on(f"sqlite:///{path}", tmp_path / "rw")
    with writable.app_context():
        migrate_upgrade()
        db.engine.dispose()
    read_only = _app_on(  # the file opened read-only, as on a disk remounted read-only
        f"sqlite:///{path}",
        tmp_path / "ro",
        SQLALCHEMY_ENGINE_OPTIONS={
            "creator": lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        },
    )
    with read_only.app_context():  # the test's own app is current otherwise
        result = read_only.test_cli_runner().invoke(
            args=[
                "group",
                "create",
                "--group",
                "Bootle",
                "--url",
                "http://bootle.test",
                "--admin",
                "a@bootle.example.org",
            ]
        )
    line = _one_clean_line(result)
    assert line.startswith("Error: The database is read-only, so the command stopped"), line
    assert "mounted read-write" in line
    with read_only.app_context():
        db.engine.dispose()


def test_a_command_when_the_database_is_down_says_one_sentence(tmp_path: Any) -> None:
    down = _app_on(f"postgresql+psycopg://cg:cg@127.0.0.1:{free_port()}/cg", tmp_path)
    with down.app_context():
        result = down.test_cli_runner().invoke(args=["group", "list"])
    line = _one_clean_line(result)
    assert "The database cannot be reached (it may be restarting)" in line, line
    assert "try again in a minute" in line


# ----------------------------------------------------------------------------- the web
class _Flaky:
    """Makes the next ``failures`` statements on the engine fail as a dropped connection does."""

    def __init__(self, failures: int, message: str = "server closed the connection") -> None:
        self.failures, self.message, self.calls = failures, message, 0

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.calls += 1
        if self.failures > 0:
            self.failures -= 1
            raise _operational(self.message, invalidated=True)


@pytest.fixture
def flaky(app: Any) -> Iterator[Any]:
    from node.extensions import db

    hooks: list[_Flaky] = []

    def arm(failures: int, message: str = "server closed the connection") -> _Flaky:
        hook = _Flaky(failures, message)
        event.listen(db.engine, "before_cursor_execute", hook)
        hooks.append(hook)
        return hook

    yield arm
    for hook in hooks:
        event.remove(db.engine, "before_cursor_execute", hook)


def test_a_get_that_meets_a_dropped_connection_is_retried_once(
    client: Any, flaky: Any, caplog: Any
) -> None:
    hook = flaky(1)
    with caplog.at_level(logging.WARNING, logger="node.errors"):
        response = client.get("/healthz")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert hook.failures == 0
    assert "GET /healthz: the database cannot be reached" in caplog.text
    assert "retrying once" in caplog.text


def test_a_get_that_fails_twice_is_a_503_page_with_retry_after(
    client: Any, group: Any, flaky: Any, caplog: Any
) -> None:
    flaky(2)
    with caplog.at_level(logging.WARNING, logger="node.errors"):
        response = client.get("/")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = response.get_data(as_text=True)
    assert "Back in a moment" in page and "nothing from this page was saved" in page
    assert "GET / answered 503: the database cannot be reached" in caplog.text
    assert "secret note" not in caplog.text


def test_a_post_is_not_retried_and_api_paths_answer_json(
    client: Any, officer_client: Any, officer: Any, flaky: Any
) -> None:
    token = officer_client.csrf_token("/profile")
    hook = flaky(1, "database or disk is full")
    response = officer_client.post("/profile", data={"csrf_token": token, "name": "New Name"})
    assert response.status_code == 503 and hook.failures == 0
    assert hook.calls == 1, "a POST must not be run twice"
    assert "Back in a moment" in response.get_data(as_text=True)
    from node.extensions import db

    db.session.refresh(officer)
    assert officer.name == "Olive Officer"

    flaky(2)
    api = client.get("/federation/outbox")
    assert api.status_code == 503 and api.headers["Retry-After"].isdigit()
    body = api.get_json()
    assert body["error"] == "unavailable" and "database" in body["detail"]


def test_the_worker_on_a_database_not_set_up_says_one_sentence(tmp_path: Any) -> None:
    """Before ``init``: one line saying what to run, not a traceback from each periodic task."""
    fresh = _app_on(f"sqlite:///{tmp_path / 'empty.sqlite'}", tmp_path)
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["worker", "--once"])
    line = _one_clean_line(result)
    assert line.startswith("Error: The database is not set up, so the command stopped"), line
    assert "commonground db upgrade" in line
