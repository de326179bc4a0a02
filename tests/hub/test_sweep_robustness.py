"""One group that cannot be swept never stops the hub's sweep of the others (issue 13): its
failure is counted on it, shown on the groups page, and it is retried less and less often."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from node import clock
from node.extensions import db
from tests.hub.conftest import HUB, endorse


def _held(hub, issuer):  # type: ignore[no-untyped-def]
    from node.peering.models import Statement

    return len(
        db.session.scalars(
            select(Statement.id).where(Statement.group_id == hub.id, Statement.issuer == issuer)
        ).all()
    )


def test_a_group_that_breaks_the_sweep_is_recorded_and_the_others_are_swept(
    app, wsgi, hub, enrolled
):  # type: ignore[no-untyped-def]
    from node.hub.models import EnrolledGroup
    from node.hub.sweep import SWEEP_INTERVAL, run_sweep
    from node.peering.models import Peer

    walton, shepperton, crosby = enrolled["walton"], enrolled["shepperton"], enrolled["crosby"]
    # Walton (enrolled first, so swept first) has an outbox URL nothing can parse: a corrupt row.
    peer = db.session.scalar(select(Peer).where(Peer.group_id == hub.id, Peer.issuer == walton.url))
    peer.outbox = "http://[broken/federation/outbox"
    db.session.commit()
    wsgi.down.add("hub.test")  # pushes fail: only the sweep brings the statements
    endorse(shepperton)
    endorse(crosby, name="Ann Lee")
    wsgi.down.clear()

    assert run_sweep(force=True) == 2
    assert _held(hub, shepperton.url) == 1 and _held(hub, crosby.url) == 1
    db.session.expire_all()
    row = db.session.scalar(select(EnrolledGroup).where(EnrolledGroup.url == walton.url))
    assert row.sweep_failures == 1
    assert row.last_error.startswith("internal error: ValueError")
    others = db.session.scalars(select(EnrolledGroup).where(EnrolledGroup.url != walton.url))
    assert all(o.sweep_failures == 0 and o.last_sweep_ok_at is not None for o in others)

    # Shown to the hub's officers and on the group's page.
    page = app.test_client().get(f"/hub/groups/{row.id}", base_url=HUB).get_data(as_text=True)
    assert "internal error: ValueError" in page

    # Backed off: due again after SWEEP_INTERVAL once, then after twice that.
    clock.advance(SWEEP_INTERVAL)
    run_sweep()
    db.session.expire_all()
    assert db.session.get(EnrolledGroup, row.id).sweep_failures == 2
    clock.advance(SWEEP_INTERVAL)
    run_sweep()
    db.session.expire_all()
    assert db.session.get(EnrolledGroup, row.id).sweep_failures == 2  # not due yet
    clock.advance(SWEEP_INTERVAL + timedelta(seconds=1))
    run_sweep()
    db.session.expire_all()
    assert db.session.get(EnrolledGroup, row.id).sweep_failures == 3
