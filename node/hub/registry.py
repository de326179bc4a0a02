"""The signed registry: the hub's own ``registry`` statement listing enrolled groups.

It is an ordinary chained statement of the hub group (signed with the hub's key by
``node.peering.operations.publish``), re-issued whenever enrolment, suspension, removal or a
key rotation changes the list, and served verbatim at ``{hub url}/hub/registry``. Nodes that
joined the hub pin the hub's key at ``hub join`` and trust a peer's key when the latest registry
they verified lists it as ``active`` (:func:`trusted_via_registry`; each group trusts only the
hubs it joined itself).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from federation import static_lookup, verify
from federation.errors import DeliveryError, StatementError
from federation.statements import MAX_REGISTRY_BYTES
from node import clock
from node.extensions import db
from node.groups.models import Group
from node.hub.models import EnrolledGroup, HubLink
from node.peering import net
from node.peering.models import Statement
from node.peering.operations import publish

REFRESH_AFTER = timedelta(minutes=10)


def body(hub: Group) -> dict[str, Any]:
    groups = []
    rows = db.session.scalars(
        select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id).order_by(EnrolledGroup.url)
    )
    for row in rows:
        item = {
            "id": row.url,
            "name": row.name[:200],
            "region": row.region[:100],
            "thumbprints": row.thumbprints[-10:],
            "status": row.status,
        }
        if row.area:
            item["area"] = row.area[:200]
        groups.append(item)
    return {"groups": groups[:2000]}


def reissue(hub: Group) -> Statement:
    """Publish a new registry statement (same transaction as the change that caused it)."""
    db.session.flush()
    return publish(hub, "registry", body(hub))


def latest(hub: Group) -> Statement | None:
    """The hub's latest registry statement row (federation store) or None."""
    return db.session.scalar(
        select(Statement)
        .where(
            Statement.group_id == hub.id, Statement.issuer == hub.url, Statement.type == "registry"
        )
        .order_by(Statement.seq.desc())
        .limit(1)
    )


# ----------------------------------------------------------------------------- node side
def verify_registry(link: HubLink, compact: str) -> dict[str, Any]:
    """Verify a registry statement with the hub keys pinned at ``hub join``; returns its payload."""
    statement = verify(
        compact, static_lookup({link.hub_url: link.keys}), max_size=MAX_REGISTRY_BYTES
    )
    if statement.type != "registry":
        raise StatementError("schema-invalid", "not a registry statement")
    return statement.payload


def refresh(link: HubLink, client: Any) -> bool:
    """Fetch the hub's registry and keep it if it verifies and is newer; True if it changed."""
    link.registry_fetched_at = clock.utcnow_naive()
    try:
        # /hub/registry answers JSON shaped like a one-item outbox page (the latest registry).
        page = client.fetch_outbox(link.registry_url, after=0, limit=1)
        if not page.items:
            return False
        compact = page.items[0]
        payload = verify_registry(link, compact)
    except (DeliveryError, StatementError, UnicodeDecodeError):
        return False
    if payload["seq"] <= link.registry_seq:
        return False
    link.registry_seq = payload["seq"]
    link.registry_body = payload["body"]
    return True


def _vouches(link: HubLink, url: str, thumbprint: str) -> bool:
    for item in (link.registry_body or {}).get("groups", []):
        if item["id"] == url and item["status"] == "active" and thumbprint in item["thumbprints"]:
            return True
    return False


def trusted_via_registry(group_id: int, url: str, thumbprint: str) -> bool:
    """Hook for ``node.peering.net.trusted_via_registry``: does a hub that group ``group_id``
    joined vouch (in a registry verified with that hub's pinned key) for ``thumbprint`` as
    ``url``'s key? Only that group's own hub links count: trust is per group, so a hub another
    group of this install joined (perhaps a hostile one) vouches for nobody here. A registry
    older than REFRESH_AFTER, or one that does not (yet) vouch, is re-fetched at most once per
    REFRESH_AFTER."""
    links = db.session.scalars(select(HubLink).where(HubLink.group_id == group_id)).all()
    for link in links:
        if _vouches(link, url, thumbprint):
            return True
    now = clock.utcnow_naive()
    for link in links:
        if link.registry_fetched_at is None or now - link.registry_fetched_at >= REFRESH_AFTER:
            client = net.client()
            try:
                refresh(link, client)
            finally:
                client.close()
            if _vouches(link, url, thumbprint):
                return True
    return False
