"""Federation objects for the tenant-isolation walk (tests/node/test_isolation.py)."""

from __future__ import annotations

from typing import Any


def populate(group: Any, prefix: str, people: dict[str, Any]) -> list[int]:
    from node import clock
    from node.extensions import db
    from node.peering import operations as ops
    from node.peering.models import Delivery, Follower, Peer

    row = ops.endorse_candidate(
        group,
        f"{prefix} Candidate",
        f"{prefix} Office",
        f"{prefix} Area",
        "2025-05-01",
        ops.meeting_decision("2025-01-01", f"{prefix}/1", f"{prefix} agreed"),
    )
    peer = Peer(
        group_id=group.id,
        issuer=f"http://{prefix.lower()}-peer.test",
        name=f"{prefix} Peer",
        inbox="http://x.test/federation/inbox",
        outbox="http://x.test/federation/outbox",
        jwks_uri="http://x.test/federation/jwks.json",
        thumbprints=[],
        keys=[],
        status="active",
        last_pulled_seq=0,
        status_detail=f"{prefix} detail",
    )
    follower = Follower(
        group_id=group.id,
        actor=f"http://{prefix.lower()}-f.test",
        inbox=f"http://{prefix.lower()}-f.test/federation/inbox",
        kid="k",
        last_request_at=clock.utcnow_naive(),
        last_nonce="n" * 16,
    )
    db.session.add_all([peer, follower])
    db.session.flush()
    delivery = Delivery(
        group_id=group.id,
        statement_pk=row.id,
        destination=follower.inbox,
        state="dead",
        last_error=f"{prefix} error",
    )
    db.session.add(delivery)
    db.session.commit()
    return [row.id, peer.id, delivery.id]
