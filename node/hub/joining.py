"""Node side of ``commonground hub join``: enrol this group at a hub and pin the hub's key.

Steps: fetch the hub's discovery document and JWKS; send the signed enrolment request (see
:mod:`node.hub.enrolment`); check that the key the hub names is in its JWKS and pin it; follow
the hub (so its registry statements reach us) and fetch the registry, verified with that key.
"""

from __future__ import annotations

from sqlalchemy import select

from federation.errors import DeliveryError
from node import clock
from node.errors import Invalid
from node.extensions import db
from node.groups.models import Group
from node.hub import enrolment, registry
from node.hub.models import HubLink
from node.peering import keystore, net
from node.peering.following import follow_peer


def join(group: Group, hub_url: str, token: str) -> HubLink:
    hub_url = hub_url.strip().rstrip("/")
    client = net.client()
    try:
        discovery = client.discover(hub_url)
        info = next((g for g in discovery.groups if g.id.rstrip("/") == hub_url), None)
        if info is None:
            raise Invalid(f"{hub_url} is not a group of that node.")
        hub_keys = client.fetch_jwks(info.jwks_uri)
        key_row = keystore.current_key(group)
        signed = enrolment.build_request(
            group.url,
            hub_url,
            token,
            clock.now().replace(microsecond=0),
            keystore.private_key(group, key_row),
        )
        result = client.post_follow(hub_url + "/hub/enrol", signed)
    except DeliveryError as exc:
        raise Invalid(f"Could not reach the hub: {exc}") from None
    finally:
        client.close()
    if not result.ok:
        raise Invalid(f"The hub refused: {result.error}: {result.detail}")
    kid = result.body.get("hub_kid")
    pinned = [k for k in hub_keys if k.get("kid") == kid]
    if not pinned:
        raise Invalid("The hub answered with a key it does not publish; not pinned.")
    # Follow (trust) the hub before writing anything: on one SQLite install an open write
    # transaction here would lock out the hub checking our keys.
    try:
        follow_peer(group, hub_url, fingerprint=kid)
    except Invalid as exc:
        raise Invalid(f"Enrolled, but could not follow the hub: {exc}") from None
    link = db.session.scalar(
        select(HubLink).where(HubLink.group_id == group.id, HubLink.hub_url == hub_url)
    )
    if link is None:
        link = HubLink(group_id=group.id, hub_url=hub_url, registry_seq=0)
        db.session.add(link)
    link.name = str(result.body.get("hub_name") or info.name)[:200]
    link.keys = pinned
    link.registry_url = str(result.body.get("registry") or hub_url + "/hub/registry")[:2048]
    link.joined_at = clock.utcnow_naive()
    db.session.flush()
    client = net.client()
    try:
        registry.refresh(link, client)
    finally:
        client.close()
    return link
