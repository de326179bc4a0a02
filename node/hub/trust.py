"""The hub's trust in enrolled groups, expressed in ``node.peering``'s allowlist (``Peer``).

Enrolling adds the group as a trusted peer of the hub group with the key pinned at enrolment,
and subscribes (a signed follow request) so the group's node pushes to the hub's inbox; the
sweep pulls regardless. A suspended group stays trusted (its statements are kept, just not
counted); a removed one is no longer trusted.
"""

from __future__ import annotations

from sqlalchemy import select

from federation.client import GroupInfo
from node import clock
from node.extensions import db
from node.groups.models import Group
from node.hub.models import EnrolledGroup
from node.peering import following
from node.peering.models import Peer


def peer_of(hub: Group, enrolled: EnrolledGroup) -> Peer | None:
    """The hub group's allowlist entry for ``enrolled``."""
    return db.session.scalar(
        select(Peer).where(Peer.group_id == hub.id, Peer.issuer == enrolled.url)
    )


def trust_enrolled(hub: Group, enrolled: EnrolledGroup, info: GroupInfo) -> None:
    peer = peer_of(hub, enrolled)
    if peer is None:
        peer = Peer(
            group_id=hub.id,
            issuer=enrolled.url,
            created_at=clock.utcnow_naive(),
            last_pulled_seq=0,
            pull_failures=0,
        )
        db.session.add(peer)
    peer.name = enrolled.name
    peer.inbox, peer.outbox, peer.jwks_uri = info.inbox, info.outbox, info.jwks_uri
    peer.thumbprints = list(enrolled.thumbprints)
    peer.keys = [dict(k) for k in enrolled.keys]
    peer.status = "active"
    peer.status_detail = "enrolled at the hub"
    db.session.flush()
    peer.follow_url = info.inbox
    peer.next_pull_at = clock.utcnow_naive()


def subscribe(hub: Group, enrolled: EnrolledGroup) -> str:
    """Send the group's node a follow request signed by the hub, so it pushes to our inbox.
    Returns the outcome line (never raises for network trouble: the sweep pulls anyway)."""
    peer = peer_of(hub, enrolled)
    if peer is None:
        return "no peer"
    return following.send_request(hub, peer.issuer, peer.follow_url or peer.inbox, "follow")


def set_trusted(hub: Group, enrolled: EnrolledGroup) -> None:
    peer = peer_of(hub, enrolled)
    if peer is None:
        return
    if enrolled.status == "removed":
        peer.status = "unfollowed"
        peer.status_detail = "removed from the hub"
    else:
        peer.status = "active"
        peer.status_detail = f"{enrolled.status} at the hub"


def add_keys(hub: Group, enrolled: EnrolledGroup) -> None:
    """Keep the allowlist's keys in step after a key rotation."""
    peer = peer_of(hub, enrolled)
    if peer is not None:
        peer.keys = [dict(k) for k in enrolled.keys]
        peer.thumbprints = list(enrolled.thumbprints)
