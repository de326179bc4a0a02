"""Shared fixtures: a real database per test worker (SQLite, or PostgreSQL when
``COMMONGROUND_TEST_PG`` is set), a fresh app per test, a CSRF-aware client, a real SMTP sink,
and factories. Modelled on flaskr's fixtures and CTFd's helpers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.db import TestDatabase
from tests.support.smtp import SmtpSink

pytest_plugins = ["tests.support.fixtures", "tests.support.browser"]


def pytest_report_header(config: pytest.Config) -> str:
    pg = os.environ.get("COMMONGROUND_TEST_PG")
    return f"commonground database backends: sqlite{', postgresql (' + pg + ')' if pg else ''}"


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
