"""Flask extensions, created unbound and initialised in the app factory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session
from flask_wtf import CSRFProtect
from sqlalchemy import Connection, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


REPLICA = "commonground.replica"  # session.info key: the engine reads go to (node.replica)


class RoutingSession(Session):
    """The app's session: while ``info[REPLICA]`` holds an engine (a read-only page inside
    :func:`node.replica.reads_replica`), statements go to that engine, the streaming replica;
    a flush, or a session holding changes, always goes to the primary."""

    def get_bind(
        self,
        mapper: Any | None = None,
        clause: Any | None = None,
        bind: Engine | Connection | None = None,
        **kwargs: Any,
    ) -> Engine | Connection:
        replica = self.info.get(REPLICA)
        if bind is None and replica is not None and not self._flushing and not self._changed():
            return cast("Engine", replica)
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)

    def _changed(self) -> bool:
        return bool(self.new or self.dirty or self.deleted)


db = SQLAlchemy(model_class=Base, session_options={"class_": RoutingSession})

# The base of every model. Flask-SQLAlchemy builds ``db.Model`` at run time (a subclass of Base
# with its query and naming mixins), which a type checker cannot see; to it, Model is Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL: readers never block the writer (web workers and the worker process share one
    file) and a commit costs one fsync. ``synchronous`` stays FULL: a committed statement of our
    own chain must survive a power cut, or we could sign a different one at the same seq."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def init_sqlite(app: Flask) -> None:
    """Set :func:`_sqlite_pragmas` on every new connection of the app's SQLite engine."""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _sqlite_pragmas
        ):
            event.listen(engine, "connect", _sqlite_pragmas)


class Migrations:
    """What Flask-Migrate keeps in ``app.extensions["migrate"]`` (the migrations folder, the
    database and Alembic's context arguments), with Flask-Migrate itself made only when a
    command migrates or reads the migrations: importing it imports Alembic, Mako and Pygments,
    ~80 ms that every other command, worker and web process would pay at start."""

    def __init__(self, directory: str) -> None:
        self.db = db
        self.directory = directory
        self._migrate: Any = None

    @property
    def migrate(self) -> Any:
        """Flask-Migrate's ``Migrate`` (``upgrade`` and the others call ``get_config`` on it)."""
        if self._migrate is None:
            from flask_migrate import Migrate

            self._migrate = Migrate(db=self.db, directory=self.directory, render_as_batch=True)
        return self._migrate

    @property
    def configure_args(self) -> dict[str, Any]:
        """Alembic's context arguments (compare types, batch mode for SQLite), as env.py reads
        them."""
        return cast("dict[str, Any]", self.migrate.alembic_ctx_kwargs)

    @property
    def metadata(self) -> MetaData:
        return self.db.metadata


def init_migrations(app: Flask, directory: str) -> None:
    app.extensions["migrate"] = Migrations(directory)
