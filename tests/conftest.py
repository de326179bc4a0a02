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

pytest_plugins = ["tests.support.fixtures"]


def pytest_report_header(config: pytest.Config) -> str:
    pg = os.environ.get("COMMONGROUND_TEST_PG")
    return f"commonground database backend: {'postgresql (' + pg + ')' if pg else 'sqlite'}"


@pytest.fixture(scope="session")
def worker_id_safe(request: pytest.FixtureRequest) -> str:
    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    return f"{worker}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def database(tmp_path_factory: pytest.TempPathFactory, worker_id_safe: str) -> Iterator[TestDatabase]:
    """One migrated database per test worker; dropped at the end of the session."""
    folder = tmp_path_factory.mktemp("db")
    database = TestDatabase.create(os.environ.get("COMMONGROUND_TEST_PG"), folder, worker_id_safe)
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
