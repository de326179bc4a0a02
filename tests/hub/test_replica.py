"""The hub's read-only pages and ``/api/v1`` read from a real PostgreSQL streaming replica
(``COMMONGROUND_DATABASE_REPLICA_URL``) and fall back to the primary when it is gone.

A throwaway primary (``initdb``) is migrated, then copied with ``pg_basebackup -R`` and started
as a hot standby on another port. The proof that a page reads the standby: with the standby's
replay paused, a group enrolled on the primary is missing from the API and the dashboard, and
appears once replay resumes and the standby has reached the primary's position (polled, not
slept for). Stopping the standby then costs nothing: the same requests answer from the primary
and the log says so once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.pg_cluster import Cluster

pytestmark = pytest.mark.slow
HUB = "http://hub.test"


@pytest.fixture(scope="module")
def primary() -> Iterator[Cluster]:
    with Cluster.create() as cluster:
        yield cluster


@pytest.fixture
def hub_app(primary: Cluster, tmp_path: Path) -> Iterator[tuple[Any, Cluster]]:
    from flask_migrate import upgrade

    from node import create_app
    from node.extensions import db
    from node.groups.operations import create_group
    from node.replica import replica_of

    base = {"SQLALCHEMY_DATABASE_URI": primary.url(), "INSTANCE_PATH": str(tmp_path / "i")}
    with create_app({**base, "TESTING": True}).app_context() as ctx:
        upgrade(directory=ctx.app.extensions["migrate"].directory, revision="heads")
        create_group("National Hub", slug="hub", url=HUB, role="hub")
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    standby = primary.replica()
    app = create_app({**base, "TESTING": True, "DATABASE_REPLICA_URL": standby.url()})
    with app.app_context():
        try:
            yield app, standby
        finally:
            db.session.remove()
            db.engine.dispose()
            replica = replica_of(app)
            if replica is not None:  # its pooled connections, closed rather than collected
                replica.engine.dispose()
            standby.close()
            primary.standbys.remove(standby)


def _enrol(name: str) -> None:
    from sqlalchemy import select

    from node.extensions import db
    from node.groups.models import Group
    from node.hub.models import EnrolledGroup

    hub = db.session.scalars(select(Group).where(Group.role == "hub")).one()
    slug = name.lower()
    db.session.add(
        EnrolledGroup(
            group_id=hub.id,
            url=f"http://{slug}.test",
            name=name,
            region="North West",
            inbox=f"http://{slug}.test/federation/inbox",
            outbox=f"http://{slug}.test/federation/outbox",
            jwks_uri=f"http://{slug}.test/.well-known/jwks.json",
        )
    )
    db.session.commit()


def _api_names(client: Any) -> list[str]:
    response = client.get("/api/v1/groups", base_url=HUB)
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(item["name"] for item in response.get_json()["items"])


def _page(client: Any) -> str:
    response = client.get("/hub/groups", base_url=HUB)
    assert response.status_code == 200, response.get_data(as_text=True)
    return str(response.get_data(as_text=True))


def test_read_pages_come_from_the_replica_and_fall_back_to_the_primary(
    hub_app: tuple[Any, Cluster], primary: Cluster, caplog: Any
) -> None:
    app, standby = hub_app
    client = app.test_client()
    assert standby.scalar("SELECT pg_is_in_recovery()") is True

    _enrol("Aston")
    standby.wait_for(primary.lsn())
    assert _api_names(client) == ["Aston"]

    standby.execute("SELECT pg_wal_replay_pause()")
    _enrol("Bootle")  # on the primary only, while the standby stands still
    assert _api_names(client) == ["Aston"], "the API read the primary, not the replica"
    assert "Aston" in _page(client) and "Bootle" not in _page(client)

    standby.execute("SELECT pg_wal_replay_resume()")
    standby.wait_for(primary.lsn())
    assert _api_names(client) == ["Aston", "Bootle"]

    standby.execute("SELECT pg_wal_replay_pause()")
    _enrol("Carlisle")
    standby.stop()
    with caplog.at_level(logging.WARNING, logger="node.replica"):
        assert _api_names(client) == ["Aston", "Bootle", "Carlisle"], "answered by the primary"
        assert "Carlisle" in _page(client)
    warnings = [r.getMessage() for r in caplog.records if r.name == "node.replica"]
    assert len(warnings) == 1 and "replica unavailable" in warnings[0], warnings


def test_a_session_holding_changes_never_reads_the_replica(tmp_path: Path) -> None:
    from node import create_app
    from node.extensions import REPLICA, db
    from node.groups.models import Group
    from node.replica import replica_of

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'primary.db'}",
            "DATABASE_REPLICA_URL": f"sqlite:///{tmp_path / 'replica.db'}",
            "INSTANCE_PATH": str(tmp_path / "i"),
            "TESTING": True,
        }
    )
    with app.app_context():
        replica = replica_of(app)
        assert replica is not None
        session = db.session()
        session.info[REPLICA] = replica.engine
        try:
            assert session.get_bind() is replica.engine
            session.add(Group(name="Pending", slug="pending", url="http://pending.test"))
            assert session.get_bind() is db.engine, "a request that writes reads the primary"
        finally:
            session.info.pop(REPLICA, None)
            session.rollback()
            db.session.remove()
