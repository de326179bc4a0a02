"""Helpers for backup/restore tests: a second, empty install (SQLite file or PostgreSQL database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from tests.support.db import TestDatabase


@pytest.fixture
def fresh_install(tmp_path: Path, database: TestDatabase, smtp_sink) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    """A second app on an empty database of the test's backend (nothing migrated, no rows)."""
    from node import create_app

    instance = tmp_path / "fresh-instance"
    pg = database.admin_url if database.is_postgres else None
    name = None
    if pg:
        name = f"cg_restore_{uuid.uuid4().hex[:10]}"
        admin = create_engine(make_url(pg), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(pg).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path / 'fresh.db'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(instance),
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": smtp_sink.port,
            "BASE_URL": "http://localhost",
        }
    )
    try:
        yield app
    finally:
        from node.extensions import db

        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if name:
            admin = create_engine(make_url(pg), isolation_level="AUTOCOMMIT")
            with admin.connect() as conn:
                conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                        "WHERE datname = :n AND pid <> pg_backend_pid()"
                    ),
                    {"n": name},
                )
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
            admin.dispose()


def table_contents(app: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table the models declare, in primary-key order (generic comparison)."""
    from node.extensions import db

    contents = {}
    with app.app_context(), db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            contents[table.name] = [tuple(row) for row in rows]
    return contents


def instance_files(instance: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(instance.rglob("*")):
        relative = path.relative_to(instance).as_posix()
        if path.is_file() and not relative.startswith("backups") and not relative.endswith(".db"):
            found[relative] = path.read_bytes()
    return found
