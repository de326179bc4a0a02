"""Following, both halves.

Follower side (:func:`preview_peer`, :func:`follow_peer`, :func:`unfollow_peer`): fetch the
peer's discovery document and JWKS, show the officer the key fingerprint, and only when it is
confirmed (``--fingerprint`` / the confirmation form, or the hub registry vouches) add the peer to
the allowlist, trusting that key alone, and send it a follow request signed with our key. We also pull its outbox on a
schedule, so a refused or lost follow request costs latency, never statements.

Followed side (:func:`handle_follow`): verify the request against the follower's JWKS, found
through the discovery document at the follower's own origin (the same origin as the inbox it
names, so nobody can subscribe a third party's inbox), then start (or stop) pushing to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from flask_babel import gettext as _
from sqlalchemy import delete, select

from federation import follow as ffollow
from federation import statements as fst
from federation.client import Discovery, GroupInfo
from federation.errors import DeliveryError, StatementError
from node import clock
from node.audit import record
from node.errors import Invalid
from node.extensions import db
from node.groups.models import Group
from node.peering import keystore, net
from node.peering.models import Delivery, Follower, Peer

MAX_FOLLOWERS = 1000


@dataclass
class FollowPreview:
    issuer: str
    name: str
    inbox: str
    outbox: str
    jwks_uri: str
    follow_url: str
    keys: list[dict[str, Any]] = field(default_factory=list)
    pinned: bool = False
    peer: Peer | None = None
    remote: str = ""

    @property
    def fingerprint(self) -> str:
        """The thumbprint of the peer's current key (the first in its JWKS)."""
        return self.keys[0]["kid"] if self.keys else ""

    @property
    def fingerprints(self) -> list[str]:
        return [jwk["kid"] for jwk in self.keys]


def _pick(discovery: Discovery, url: str) -> GroupInfo:
    wanted = url.rstrip("/")
    for info in discovery.groups:
        if info.id.rstrip("/") == wanted:
            return info
    if len(discovery.groups) == 1 and net.origin(url) == wanted:
        return discovery.groups[0]
    known = ", ".join(info.id for info in discovery.groups[:10]) or "none"
    raise Invalid(
        _("%(url)s is not a group of that node (it hosts: %(known)s).", url=url, known=known)
    )


def preview_peer(group: Group, url: str) -> FollowPreview:
    """Fetch the peer's discovery document and keys (nothing is stored)."""
    url = url.strip().rstrip("/")
    client = net.client()
    try:
        info = _pick(client.discover(url), url)
        for link in (info.inbox, info.outbox, info.jwks_uri):
            if not ffollow.same_origin(link, info.id):
                raise Invalid(
                    _("%(id)s names a URL on another site (%(link)s).", id=info.id, link=link[:100])
                )
        keys = client.fetch_jwks(info.jwks_uri)
    except DeliveryError as exc:
        raise Invalid(_("Could not reach %(url)s: %(error)s", url=url, error=exc)) from None
    finally:
        client.close()
    if info.id.rstrip("/") == group.url:
        raise Invalid(_("A group cannot follow itself."))
    if not keys:
        raise Invalid(
            _(
                "%(id)s publishes no usable key: each must be an Ed25519 public key whose kid "
                "is its RFC 7638 thumbprint.",
                id=info.id,
            )
        )
    return FollowPreview(
        issuer=info.id.rstrip("/"),
        name=info.name,
        inbox=info.inbox,
        outbox=info.outbox,
        jwks_uri=info.jwks_uri,
        follow_url=info.inbox,  # protocol §8: follow requests go to the inbox
        keys=keys,
    )


def follow_peer(
    group: Group, url: str, fingerprint: str | None = None, actor: Any = None
) -> FollowPreview:
    """Preview, and if the fingerprint is confirmed, trust and follow the peer.

    Returns the preview; ``preview.pinned`` says whether the peer was followed. The caller commits.
    """
    preview = preview_peer(group, url)
    fingerprint = (fingerprint or "").strip()
    if fingerprint and fingerprint in preview.fingerprints:
        confirmed = [fingerprint]
    else:
        confirmed = [
            k for k in preview.fingerprints if net.trusted_via_registry(group.id, preview.issuer, k)
        ]
        if fingerprint and not confirmed:
            raise Invalid(
                _(
                    "The fingerprint does not match %(name)s's key (%(fingerprint)s). "
                    "Check it with %(name)s before following.",
                    name=preview.name,
                    fingerprint=preview.fingerprint,
                )
            )
    if not confirmed:
        return preview
    # Ask to be pushed to before writing anything: the peer checks our keys over HTTP, and on
    # one install (SQLite) our open write transaction would lock it out. (A registry refresh
    # above may have changed our hub link in memory: it is flushed afterwards, not now.)
    with db.session.no_autoflush:
        preview.remote = send_request(group, preview.issuer, preview.follow_url, "follow")
    peer = db.session.scalar(
        select(Peer).where(Peer.group_id == group.id, Peer.issuer == preview.issuer)
    )
    if peer is None:
        peer = Peer(group_id=group.id, issuer=preview.issuer, last_pulled_seq=0)
        db.session.add(peer)
    peer.name = preview.name[:200]
    peer.inbox, peer.outbox, peer.jwks_uri = preview.inbox, preview.outbox, preview.jwks_uri
    peer.follow_url = preview.follow_url
    peer.thumbprints = sorted(set(peer.thumbprints or []) | set(confirmed))
    # Only the confirmed keys: the JWKS came over the same connection a tamperer could control,
    # so its other keys prove nothing. Later keys come in-chain (key-rotation statements signed
    # by a trusted key, node.peering.ingest), from the registry, or by a new confirmation.
    known = {jwk["kid"] for jwk in peer.keys or []}
    peer.keys = [
        *(peer.keys or []),
        *(k for k in preview.keys if k["kid"] in confirmed and k["kid"] not in known),
    ]
    peer.status, peer.status_detail = "active", None
    peer.next_pull_at = clock.utcnow_naive()
    db.session.flush()
    preview.pinned, preview.peer = True, peer
    record(group, actor, "follow-peer", preview.issuer[:200], f"key {confirmed[0]}")
    return preview


def send_request(
    group: Group, object_id: str, url: str, kind: Literal["follow", "unfollow"]
) -> str:
    """Send a signed follow/unfollow request; returns a one-line outcome for the officer."""
    key_row = keystore.current_key(group)
    payload = ffollow.build_follow(
        kind,
        group.url,
        object_id,
        group.url + "/federation/inbox",
        issued_at=clock.now().replace(microsecond=0),
    )
    signed = ffollow.sign_follow(payload, keystore.private_key(group, key_row))
    client = net.client()
    try:
        result = client.post_follow(url, signed)
    except DeliveryError as exc:
        return f"{kind} request not delivered ({exc}); we will still pull its outbox"
    finally:
        client.close()
    if result.ok:
        return f"{kind} request accepted"
    return f"{kind} request refused: {result.error}: {result.detail}"


def unfollow_peer(group: Group, peer: Peer, actor: Any = None) -> str:
    """Stop trusting, pulling from and being pushed to by ``peer`` (its history is kept)."""
    if peer.status == "unfollowed":
        return "already unfollowed"
    outcome = send_request(group, peer.issuer, peer.follow_url or peer.inbox, "unfollow")
    peer.status = "unfollowed"
    peer.next_pull_at = None
    record(group, actor, "unfollow-peer", peer.issuer[:200])
    return outcome


# ----------------------------------------------------------------------------- followed side
def _actor_lookup(actor: str) -> fst.KeyLookup:
    def lookup(issuer: str, kid: str) -> fst.LookupResult:
        client = net.client()
        try:
            discovery = client.discover(issuer)
            info = next((g for g in discovery.groups if g.id.rstrip("/") == issuer), None)
            if info is None or not ffollow.same_origin(info.jwks_uri, issuer):
                return fst.UNKNOWN_ISSUER
            keys = client.fetch_jwks(info.jwks_uri)
        except DeliveryError as exc:
            raise StatementError(
                "unknown-issuer", f"could not fetch the follower's keys: {exc}"
            ) from None
        finally:
            client.close()
        return next((jwk for jwk in keys if jwk.get("kid") == kid), fst.UNKNOWN_KEY)

    return lookup


def handle_follow(group: Group, compact: str) -> dict[str, Any]:
    """Verify and apply a follow/unfollow request addressed to ``group``; the caller commits.

    Raises StatementError (the view answers with its code) for anything wrong.
    """
    _, unverified = ffollow.peek_follow(compact)
    request = ffollow.verify_follow(
        compact, _actor_lookup(unverified["actor"]), now=clock.now(), expected_object=group.url
    )
    follower = db.session.scalar(
        select(Follower).where(Follower.group_id == group.id, Follower.actor == request.actor)
    )
    seen_at = request.issued_at.replace(tzinfo=None)
    if follower is not None and (
        seen_at < follower.last_request_at or request.nonce == follower.last_nonce
    ):
        raise StatementError("stale", "this request (or a newer one) was already received")
    if request.type == "follow":
        if follower is None:
            count = db.session.scalar(
                select(db.func.count()).select_from(Follower).where(Follower.group_id == group.id)
            )
            if (count or 0) >= MAX_FOLLOWERS:
                raise StatementError("too-large", "this group has too many followers")
            follower = Follower(group_id=group.id, actor=request.actor)
            db.session.add(follower)
        follower.inbox, follower.kid, follower.status = request.inbox, request.kid, "active"
    elif follower is not None:
        follower.status = "removed"
        db.session.execute(
            delete(Delivery).where(
                Delivery.group_id == group.id,
                Delivery.destination == follower.inbox,
                Delivery.state != "delivered",
            )
        )
    if follower is not None:
        follower.last_request_at, follower.last_nonce = seen_at, request.nonce
    record(group, None, f"federation-{request.type}", request.actor[:200])
    return {
        "status": "following" if request.type == "follow" else "unfollowed",
        "actor": request.actor,
    }
