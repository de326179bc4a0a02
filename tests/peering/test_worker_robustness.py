"""One bad follower, delivery or peer never stops the federation worker (issue 13).

Whatever goes wrong with one item — an answer we cannot use, an unexpected error — is recorded
on that item (attempts, last error, next attempt), backed off, shown to the officers, and every
other delivery and pull still happens in the same run.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from federation import backoff
from node import clock
from node.extensions import db
from node.peering import worker
from node.peering.following import follow_peer
from node.peering.models import Delivery, Follower, Peer, Statement
from tests.peering.conftest import (
    SHEPPERTON,
    WALTON,
    Forger,
    fingerprint,
    publish,
    trust,
)

EVIL = "http://evil.test"
BROKEN = "http://[broken"  # a stored URL urlsplit cannot parse: a corrupt row, say


def add_follower(group, actor: str, inbox: str) -> None:
    db.session.add(
        Follower(
            group_id=group.id,
            actor=actor,
            inbox=inbox,
            kid="k",
            status="active",
            last_request_at=clock.utcnow_naive(),
            last_nonce="n",
        )
    )
    db.session.commit()


def delivery_to(destination: str) -> Delivery:
    db.session.expire_all()
    return db.session.scalar(select(Delivery).where(Delivery.destination == destination))


def walton_holds(walton) -> int:
    return len(
        db.session.scalars(
            select(Statement.id).where(
                Statement.group_id == walton.id, Statement.issuer == SHEPPERTON
            )
        ).all()
    )


@pytest.mark.parametrize(
    "answer",
    [
        {"index": "zz"},
        {"index": -3},
        {"index": 10**30},
        {"index": True},
        {"index": 1.5},
        {"error": ["not", "a", "string"], "index": None},
        [1, 2, 3],
    ],
    ids=["string", "negative", "huge", "bool", "float", "error-list", "not-an-object"],
)
def test_a_follower_answering_nonsense_does_not_jam_the_worker(
    app, wsgi, walton, shepperton, followed, answer
):
    """``400 {"index": "zz"}`` raised in deliver_due, so the delivery stayed pending forever and
    every delivery after it in the run was never sent."""
    add_follower(shepperton, EVIL, EVIL + "/federation/inbox")
    wsgi.answers[EVIL + "/federation/inbox"] = 400, answer
    publish(shepperton)

    assert worker.deliver_due() == 1  # Walton's copy went out
    assert walton_holds(walton) == 1
    evil = delivery_to(EVIL + "/federation/inbox")
    assert evil.state == "failed" and evil.attempts == 1  # a 4xx refusal: not retried
    assert evil.last_error.startswith("http-400") and evil.locked_until is None


def test_an_unexpected_error_on_one_destination_is_recorded_and_the_rest_go_out(
    app, wsgi, walton, shepperton, followed, client, make_member
):
    add_follower(shepperton, "http://broken.test", BROKEN + "/federation/inbox")
    publish(shepperton)
    now = clock.utcnow_naive()

    assert worker.deliver_due() == 1
    assert walton_holds(walton) == 1
    broken = delivery_to(BROKEN + "/federation/inbox")
    assert broken.state == "pending" and broken.attempts == 1 and broken.locked_until is None
    assert broken.last_error.startswith("internal error: ValueError")
    assert broken.next_attempt_at > now  # backed off

    # It keeps failing: every attempt is counted, then it is dead-lettered, never retried forever.
    for _ in range(backoff.MAX_ATTEMPTS - 1):
        clock.advance(timedelta(seconds=backoff.MAX_DELAY + 1))
        worker.deliver_due()
    broken = delivery_to(BROKEN + "/federation/inbox")
    assert broken.state == "dead" and broken.attempts == backoff.MAX_ATTEMPTS

    # Shepperton's officers see it, with the reason.
    officer = make_member(shepperton, "officer", email="officer@shepperton.example.org")
    client.sign_in(officer.email, base_url=SHEPPERTON)
    page = client.get("/federation/admin", base_url=SHEPPERTON).get_data(as_text=True)
    assert "dead" in page and "internal error: ValueError" in page


def test_a_retrying_delivery_is_shown_with_its_attempts_and_next_try(
    app, wsgi, walton, shepperton, followed, client, make_member
):
    add_follower(shepperton, EVIL, EVIL + "/federation/inbox")
    wsgi.answers[EVIL + "/federation/inbox"] = 503, {"error": "busy"}
    publish(shepperton)
    assert worker.deliver_due() == 1
    evil = delivery_to(EVIL + "/federation/inbox")
    assert evil.state == "pending" and evil.attempts == 1 and evil.last_error
    officer = make_member(shepperton, "officer", email="officer@shepperton.example.org")
    client.sign_in(officer.email, base_url=SHEPPERTON)
    page = client.get("/federation/admin", base_url=SHEPPERTON).get_data(as_text=True)
    assert "retrying" in page and "after 1 attempt(s), next try" in page


def test_one_failing_peer_does_not_stop_the_pulls(
    app, wsgi, walton, shepperton, client, make_member
):
    # Two bad peers followed before the good one, so they come first in the run.
    broken = trust(walton, "http://broken.test", Forger("http://broken.test").jwk, "Broken")
    broken.outbox = BROKEN + "/federation/outbox"
    liar = Forger(EVIL)
    trust(walton, EVIL, Forger(EVIL).jwk, "Evil")  # the key pinned is not the one it signs with
    wsgi.answers[EVIL + "/federation/outbox"] = 200, {"items": [liar.next()], "next": None}
    db.session.commit()
    follow_peer(walton, SHEPPERTON, fingerprint(shepperton))
    db.session.commit()
    publish(shepperton)
    db.session.execute(Delivery.__table__.delete())  # not pushed: only a pull brings it
    db.session.commit()
    now = clock.utcnow_naive()

    assert worker.pull_due() == 1
    assert walton_holds(walton) == 1
    db.session.expire_all()
    peers = {p.issuer: p for p in db.session.scalars(select(Peer))}
    crashed, refused, good = peers["http://broken.test"], peers[EVIL], peers[SHEPPERTON]
    assert crashed.pull_failures == 1 and crashed.next_pull_at > now
    assert crashed.last_pull_error.startswith("internal error: ValueError")
    assert refused.pull_failures == 1 and refused.next_pull_at > now
    assert refused.last_pull_error.startswith("unknown-key")
    assert good.pull_failures == 0 and good.last_pull_error is None
    officer = make_member(walton, "officer", email="officer@walton.example.org")
    client.sign_in(officer.email, base_url=WALTON)
    page = client.get("/federation/admin", base_url=WALTON).get_data(as_text=True)
    assert "last pull failed (1 time in a row): internal error: ValueError" in page
    assert "last pull failed (1 time in a row): unknown-key" in page

    # Backed off: not due again at once, and counted again when it fails again.
    assert worker.pull_due() == 0
    assert db.session.get(Peer, crashed.id).pull_failures == 1
    clock.advance(timedelta(days=1))
    worker.pull_due()
    db.session.expire_all()
    assert db.session.get(Peer, crashed.id).pull_failures == 2
    assert db.session.get(Peer, refused.id).pull_failures == 2
