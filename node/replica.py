"""Read-only pages from a PostgreSQL streaming replica (``COMMONGROUND_DATABASE_REPLICA_URL``).

A national hub's dashboards and ``/api/v1`` are read far more than the hub writes; a streaming
replica on another machine can carry those reads. A view marked :func:`reads_replica` runs its
queries on the replica (the session routes them, ``node.extensions.RoutingSession``); everything
else — sign-in, every POST, the worker, the federation endpoints — stays on the primary.

- Only GET and HEAD are routed, and only while the session holds no changes: a request that
  writes never reads from the replica, so it never acts on a stale row.
- The replica may lag the primary by a moment (a new endorsement shows a second later): fine
  for dashboards, which is why only they are marked.
- When the replica cannot be reached (or refuses a query), the page is answered from the primary
  and the replica is left alone for :data:`RETRY_AFTER`; the log says so once per outage, and
  once when it answers again. Without the setting, everything reads the primary.

``tests/hub/test_replica.py`` starts a real streaming replica (``pg_basebackup``) and checks both.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from flask import Flask, current_app, request
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import InterfaceError, OperationalError

from node.extensions import REPLICA, db

log = logging.getLogger(__name__)
F = TypeVar("F", bound=Callable[..., Any])

RETRY_AFTER = 30.0  # seconds the primary answers alone after the replica failed
CONNECT_TIMEOUT = 3  # seconds: a replica on a machine that is down must not hold a page long
_lock = threading.Lock()


@dataclass
class Replica:
    """The app's replica engine and whether it is answering (per process)."""

    engine: Engine
    resting_until: float = 0.0  # monotonic time before which the replica is not tried

    def usable(self) -> bool:
        return time.monotonic() >= self.resting_until

    def failed(self, exc: BaseException) -> None:
        first = self.resting_until == 0.0
        self.resting_until = time.monotonic() + RETRY_AFTER
        if first:
            orig = getattr(exc, "orig", None) or exc
            cause = (str(orig).strip().splitlines() or [""])[0][:200]
            log.warning(
                "database replica unavailable (%s: %s); reading from the primary",
                type(orig).__name__,
                cause,
            )

    def answered(self) -> None:
        if self.resting_until:
            self.resting_until = 0.0
            log.warning("database replica answering again; read-only pages read from it")


def replica_of(app: Flask) -> Replica | None:
    """The app's replica (its engine made on first use), or None without the setting."""
    url = app.config.get("DATABASE_REPLICA_URL")
    if not url:
        return None
    found = app.extensions.get(REPLICA)
    if found is None:
        with _lock:
            found = app.extensions.get(REPLICA)
            if found is None:
                args = {"connect_timeout": CONNECT_TIMEOUT} if url.startswith("postgres") else {}
                engine = create_engine(url, pool_pre_ping=True, connect_args=args)
                found = app.extensions[REPLICA] = Replica(engine)
    return cast("Replica", found)


def reads_replica(view: F) -> F:
    """Run a read-only view's queries on the replica when there is one that answers; on a
    failure there, run the view again on the primary (a GET reads only, so running it twice
    is harmless)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        replica = replica_of(current_app)
        session = db.session()
        if (
            replica is None
            or request.method not in ("GET", "HEAD")
            or not replica.usable()
            or session.new
            or session.dirty
            or session.deleted
        ):
            return view(*args, **kwargs)
        session.info[REPLICA] = replica.engine
        try:
            answer = view(*args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            replica.failed(exc)
        else:
            replica.answered()
            return answer
        finally:
            session.info.pop(REPLICA, None)
        session.rollback()
        return view(*args, **kwargs)

    return cast("F", wrapper)
