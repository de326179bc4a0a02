"""Trust through the hub's registry is per group (issue 13): a hub that one group of an install
joined vouches for peers of that group only, never for another group's on the same install."""

from __future__ import annotations

from sqlalchemy import select

from node import clock
from node.extensions import db
from node.hub.registry import REFRESH_AFTER
from tests.hub.conftest import enrol


def test_a_hub_another_group_joined_vouches_for_nobody_here(app, wsgi, hub, nodes):  # type: ignore[no-untyped-def]
    from node.peering import keystore, net
    from node.peering.following import follow_peer
    from node.peering.models import Peer

    walton, shepperton, crosby = nodes["walton"], nodes["shepperton"], nodes["crosby"]
    enrol(hub, walton)
    enrol(hub, crosby)  # Shepperton, on the same install, never joined this hub
    crosby_key = keystore.current_key(crosby).kid
    clock.advance(REFRESH_AFTER)  # Walton's registry predates Crosby: it is re-fetched

    preview = follow_peer(shepperton, crosby.url)  # no fingerprint: only a registry could vouch
    db.session.commit()
    assert not preview.pinned
    assert db.session.scalar(select(Peer).where(Peer.group_id == shepperton.id)) is None
    assert not net.trusted_via_registry(shepperton.id, crosby.url, crosby_key)
    assert net.trusted_via_registry(walton.id, crosby.url, crosby_key)
    db.session.commit()  # the re-fetched registry (one install, SQLite: one writer at a time)

    preview = follow_peer(walton, crosby.url)  # Walton joined the hub: its registry vouches
    db.session.commit()
    assert preview.pinned
