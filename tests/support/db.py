"""Test databases: a SQLite file, or a PostgreSQL database created and dropped per worker.

The PostgreSQL server is shared and outlives a run, so every worker creates its own uniquely
named database and drops it at the end (even after failures).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@dataclass
class TestDatabase:
    url: str
    admin_url: str | None
    name: str | None
    instance: Path

    __test__ = False  # not a test class

    @classmethod
    def create(cls, pg_url: str | None, folder: Path, suffix: str) -> TestDatabase:
        instance = folder / "instance"
        instance.mkdir(parents=True, exist_ok=True)
        if not pg_url:
            return cls(f"sqlite:///{folder / 'test.db'}", None, None, instance)
        name = f"cg_test_{suffix}".lower()
        admin = make_url(pg_url)
        engine = create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return cls(
            admin.set(database=name).render_as_string(hide_password=False), pg_url, name, instance
        )

    @property
    def is_postgres(self) -> bool:
        return self.name is not None

    def migrate(self) -> None:
        from flask_migrate import upgrade

        from node import create_app

        app = create_app({"SQLALCHEMY_DATABASE_URI": self.url, "INSTANCE_PATH": str(self.instance)})
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory, revision="heads")
            from node.extensions import db

            db.engine.dispose()

    def truncate(self, engine) -> None:  # type: ignore[no-untyped-def]
        """Empty every table (fast fresh state between tests), keeping the schema."""
        from node.extensions import db

        tables = [t.name for t in db.metadata.sorted_tables]
        with engine.begin() as conn:
            if self.is_postgres:
                # Each DELETE is a round trip, and TRUNCATE costs ~2.5 ms a table however empty
                # with a CASCADE that reaches every table referring to a used one (nearly all
                # refer to groups): ~200 ms a test. So only the tables with rows, found in one
                # query.
                used = set(
                    conn.execute(
                        text(
                            " UNION ALL ".join(
                                f"SELECT '{t}' WHERE EXISTS (SELECT 1 FROM \"{t}\")" for t in tables
                            )
                        )
                    ).scalars()
                )
                tables = [t for t in tables if t in used]
            for table in reversed(tables):  # children first
                conn.execute(text(f'DELETE FROM "{table}"'))
            if self.is_postgres:  # every sequence back to 1
                conn.execute(
                    text(
                        "SELECT setval(c.oid::regclass, 1, false) FROM pg_class c "
                        "WHERE c.relkind = 'S' AND c.relnamespace = 'public'::regnamespace"
                    )
                )
            else:
                has_seq = conn.execute(
                    text("SELECT name FROM sqlite_master WHERE name='sqlite_sequence'")
                ).first()
                if has_seq:
                    conn.execute(text("DELETE FROM sqlite_sequence"))

    def drop(self) -> None:
        if not self.is_postgres:
            return
        engine = create_engine(make_url(self.admin_url), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :name AND pid <> pg_backend_pid()"
                ),
                {"name": self.name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}"'))
        engine.dispose()
