"""Following trusts the key the officer confirmed, nothing else the peer's JWKS lists (issue 13).

Someone who can tamper with the follow lookup (DNS, a compromised proxy, the peer's web host)
can add a key of their own to the JWKS the officer is shown. Confirming the real fingerprint must
not trust that key too; a new key comes in-chain (a key-rotation signed by a trusted key).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from node.errors import Invalid
from node.extensions import db
from node.peering import keystore, worker
from node.peering import operations as ops
from node.peering.following import follow_peer
from node.peering.models import Peer, Statement
from tests.peering.conftest import SHEPPERTON, WALTON, Forger, fingerprint, publish

JWKS_PATH = "/federation/jwks.json"


def inbox_post(client: Any, compact: str) -> Any:
    return client.post(
        "/federation/inbox",
        data=compact.encode(),
        headers={"Content-Type": "application/jose"},
        base_url=WALTON,
    )


def test_confirming_the_real_fingerprint_does_not_trust_a_key_slipped_into_the_jwks(
    app, client, wsgi, walton, shepperton
):
    attacker = Forger(SHEPPERTON)  # signs as Shepperton with a key Shepperton never had
    real_jwk = keystore.current_key(shepperton).public_jwk
    wsgi.answers[SHEPPERTON + JWKS_PATH] = 200, {"keys": [attacker.jwk, real_jwk]}

    preview = follow_peer(walton, SHEPPERTON, fingerprint(shepperton))
    db.session.commit()
    assert preview.pinned
    peer = db.session.scalar(select(Peer).where(Peer.group_id == walton.id))
    assert [k["kid"] for k in peer.keys] == [fingerprint(shepperton)]
    assert peer.thumbprints == [fingerprint(shepperton)]

    response = inbox_post(client, attacker.next(candidate="Not Endorsed By Shepperton"))
    assert response.status_code == 401 and response.json["error"] == "unknown-key"
    assert db.session.scalar(select(Statement).where(Statement.group_id == walton.id)) is None
    # The re-fetched JWKS (still tampered with) does not make the key trusted either.
    assert [k["kid"] for k in db.session.get(Peer, peer.id).keys] == [fingerprint(shepperton)]


def test_a_key_rotation_signed_by_the_confirmed_key_brings_in_the_new_key(
    app, wsgi, walton, shepperton
):
    follow_peer(walton, SHEPPERTON, fingerprint(shepperton))
    db.session.commit()
    old = fingerprint(shepperton)
    ops.rotate_key(shepperton)
    publish(shepperton)
    new = fingerprint(shepperton)
    worker.deliver_due()
    held = db.session.scalars(
        select(Statement.type)
        .where(Statement.group_id == walton.id, Statement.issuer == SHEPPERTON)
        .order_by(Statement.seq)
    ).all()
    assert held == ["key-rotation", "candidate-endorsement"]
    peer = db.session.scalar(select(Peer).where(Peer.group_id == walton.id))
    assert {k["kid"] for k in peer.keys} == {old, new}


@pytest.fixture
def make_officer(make_member: Any) -> Any:
    return lambda group: make_member(group, "officer", email=f"officer@{group.slug}.example.org")


def test_a_jwks_key_without_kid_is_a_clean_refusal(
    app, client, wsgi, walton, shepperton, make_officer
):
    jwk = dict(keystore.current_key(shepperton).public_jwk)
    del jwk["kid"]
    wsgi.answers[SHEPPERTON + JWKS_PATH] = 200, {"keys": [jwk]}
    with pytest.raises(Invalid, match="no usable key"):
        follow_peer(walton, SHEPPERTON, fingerprint(shepperton))
    db.session.rollback()
    # The officers' page answers 400 with the reason, not a 500.
    officer = make_officer(walton)
    client.sign_in(officer.email, base_url=WALTON)
    response = client.post_form(
        "/federation/peers/follow",
        {"url": SHEPPERTON, "fingerprint": fingerprint(shepperton)},
        base_url=WALTON,
    )
    assert response.status_code == 400
    assert "no usable key" in response.get_data(as_text=True)
    assert db.session.scalar(select(Peer.id)) is None
