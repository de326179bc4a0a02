"""Following, pushing, pulling and the worker, between two groups of one install over (WSGI) HTTP."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from node import clock
from node.extensions import db
from node.peering import operations as ops
from node.peering import worker
from node.peering.models import Delivery, Destination, Follower, Peer, Statement
from tests.peering.conftest import SHEPPERTON, WALTON, fingerprint


def decision():
    return ops.meeting_decision("2025-01-10", "GM/3", "Agreed")


def publish(group, name="Sam Ortiz"):
    row = ops.endorse_candidate(
        group, name, "County Council", "Walton South", "2025-05-01", decision()
    )
    db.session.commit()
    return row


def held_by(group, issuer):
    return db.session.scalars(
        select(Statement.seq)
        .where(Statement.group_id == group.id, Statement.issuer == issuer)
        .order_by(Statement.seq)
    ).all()


def test_following_needs_the_confirmed_fingerprint(app, wsgi, walton, shepperton):
    from node.errors import Invalid
    from node.peering.following import follow_peer

    preview = follow_peer(walton, SHEPPERTON)
    assert not preview.pinned and preview.fingerprint == fingerprint(shepperton)
    assert db.session.scalar(select(func.count()).select_from(Peer)) == 0
    try:
        follow_peer(walton, SHEPPERTON, "A" * 43)
    except Invalid as exc:
        assert "does not match" in str(exc)
    else:
        raise AssertionError("a wrong fingerprint was accepted")


def test_follow_push_pull_retract_unfollow(app, wsgi, walton, shepperton, followed):
    follower = db.session.scalar(select(Follower))
    assert (follower.group_id, follower.actor, follower.inbox) == (
        shepperton.id,
        WALTON,
        WALTON + "/federation/inbox",
    )
    old = publish(shepperton)  # published before the first pull: arrives by pull or push
    assert db.session.scalar(select(Delivery.state)) == "pending"  # same transaction
    assert worker.run() >= 1
    assert held_by(walton, SHEPPERTON) == [1]
    second = publish(shepperton, "Ann Lee")
    assert worker.deliver_due() == 1
    assert held_by(walton, SHEPPERTON) == [1, 2]
    ops.retract(shepperton, old.statement_id, "Withdrew")
    db.session.commit()
    worker.deliver_due()
    received = {
        r.statement_id: r
        for r in db.session.scalars(select(Statement).where(Statement.group_id == walton.id))
    }
    assert received[old.statement_id].retracted_by is not None
    assert received[second.statement_id].retracted_by is None
    assert [e["campaign"] for e in ops.received_campaign_endorsements(walton)] == []
    # unfollow stops the push (and the pull)
    peer = db.session.scalar(select(Peer))
    from node.peering.following import unfollow_peer

    assert unfollow_peer(walton, peer) == "unfollow request accepted"
    db.session.commit()
    assert db.session.scalar(select(Follower.status)) == "removed"
    publish(shepperton, "Late News")
    assert (
        db.session.scalar(
            select(func.count()).select_from(Delivery).where(Delivery.state == "pending")
        )
        == 0
    )
    clock.advance(timedelta(days=1))
    worker.run()
    assert held_by(walton, SHEPPERTON) == [1, 2, 3]


def test_replayed_follow_request_is_refused(app, wsgi, walton, shepperton, followed):
    from federation import follow as ffollow
    from node.peering import keystore

    payload = ffollow.build_follow(
        "unfollow",
        WALTON,
        SHEPPERTON,
        WALTON + "/federation/inbox",
        issued_at=clock.now().replace(microsecond=0),
    )
    signed = ffollow.sign_follow(
        payload, keystore.private_key(walton, keystore.current_key(walton))
    )
    client = app.test_client()
    headers = {"Content-Type": "application/jose"}
    first = client.post("/federation/follow", data=signed, headers=headers, base_url=SHEPPERTON)
    assert first.status_code == 202, first.json
    again = client.post("/federation/follow", data=signed, headers=headers, base_url=SHEPPERTON)
    assert again.status_code == 400 and again.json["error"] == "stale"
    # a request signed by someone else's key for Walton is refused
    from federation.keys import generate_private_key

    forged = ffollow.sign_follow(
        ffollow.build_follow("follow", WALTON, SHEPPERTON, WALTON + "/federation/inbox"),
        generate_private_key(),
    )
    bad = client.post("/federation/follow", data=forged, headers=headers, base_url=SHEPPERTON)
    assert bad.status_code == 401 and bad.json["error"] == "unknown-key"


def test_gap_is_backfilled_by_pulling(app, wsgi, walton, shepperton, followed):
    worker.run()
    wsgi.down.add("walton.test")
    for n in range(5):
        publish(shepperton, f"Candidate {n}")
    assert worker.deliver_due() == 0  # Walton unreachable: backoff
    states = db.session.scalars(select(Delivery.state)).all()
    assert set(states) == {"pending"}
    wsgi.down.clear()
    # Walton pulls Shepperton's outbox when due: everything arrives, in order, once
    clock.advance(timedelta(minutes=16))
    worker.pull_due()
    assert held_by(walton, SHEPPERTON) == [1, 2, 3, 4, 5]


def test_backoff_breaker_dead_letter_and_drain(app, wsgi, walton, shepperton, followed):
    wsgi.down.add("walton.test")
    publish(shepperton)
    origin = "http://walton.test"
    for _ in range(5):
        worker.deliver_due()
        clock.advance(timedelta(hours=7))  # past any backoff
    breaker = db.session.scalar(select(Destination).where(Destination.origin == origin))
    assert breaker.state == "open" and breaker.failures == 5
    row = db.session.scalar(select(Delivery))
    assert row.attempts == 5 and row.state == "pending"
    for _ in range(15):
        clock.advance(timedelta(hours=7))
        worker.deliver_due()
    db.session.expire_all()
    row = db.session.scalar(select(Delivery))
    assert row.state == "dead"
    # the officer retries; the destination answers; breaker closes
    wsgi.down.clear()
    ops.retry_delivery(row)
    db.session.commit()
    assert worker.deliver_due() == 1
    db.session.expire_all()
    assert (
        db.session.scalar(select(Destination.state).where(Destination.origin == origin)) == "closed"
    )


def test_success_drains_the_destination_at_once(app, wsgi, walton, shepperton, followed):
    worker.run()
    wsgi.down.add("walton.test")
    publish(shepperton, "One")
    worker.deliver_due()
    row = db.session.scalar(select(Delivery))
    assert row.next_attempt_at > clock.utcnow_naive()
    wsgi.down.clear()
    worker.answered("http://walton.test")  # e.g. a pull from Walton's origin just succeeded
    db.session.commit()
    assert worker.deliver_due() == 1


def test_claimed_rows_are_not_sent_twice(app, wsgi, walton, shepperton, followed):
    worker.run()
    publish(shepperton)
    ids = [d.id for d in db.session.scalars(select(Delivery).where(Delivery.state == "pending"))]
    _, rows = worker._claim(ids, clock.utcnow_naive())  # another worker holds the lease
    assert len(rows) == 1
    assert worker.deliver_due() == 0
    clock.advance(worker.LEASE + timedelta(seconds=1))  # that worker died: the lease runs out
    assert worker.deliver_due() == 1


def test_following_a_private_address_is_refused_unless_the_install_allows_it(app, walton):
    """No COMMONGROUND_ALLOW_PRIVATE_PEERS (the default): a follow URL on loopback is refused at
    connect time, before a byte is sent, with a message the officer can act on."""
    from node.errors import Invalid
    from node.peering.following import follow_peer

    assert app.config["ALLOW_PRIVATE_PEERS"] is False
    with socket.create_server(("127.0.0.1", 0)) as listener:
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/g/somewhere"
        with pytest.raises(Invalid, match="not a public address"):
            follow_peer(walton, url)
        connection, _ = listener.accept()  # the kernel completed the handshake ...
        with connection:
            connection.settimeout(5)
            assert connection.recv(1024) == b""  # ... and the node closed it without a request
