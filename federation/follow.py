"""Signed follow / unfollow requests.

Node A subscribes to group B by POSTing a JWS signed with A's group key to
B's inbox. It is not part of A's statement chain (no seq/prev) and carries
its own ``typ`` so a follow request can never be replayed as a statement or
vice versa. B verifies it against A's JWKS (fetched from A's discovery
document at the same origin as the ``inbox`` it names), checks freshness and
remembers the nonce to refuse replays.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final, Literal
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from . import schemas
from .errors import StatementError
from .statements import KeyLookup, format_timestamp, peek_document, sign_jws, verify_document

__all__ = [
    "FOLLOW_TYP",
    "VerifiedFollow",
    "build_follow",
    "sign_follow",
    "verify_follow",
    "peek_follow",
    "same_origin",
]

FOLLOW_TYP: Final = "commonground-follow+jwt"
MAX_FOLLOW_BYTES: Final = 8 * 1024


@dataclass(frozen=True)
class VerifiedFollow:
    """A follow/unfollow request whose signature, schema, origin and age were checked."""

    compact: str
    type: Literal["follow", "unfollow"]
    actor: str
    object: str
    inbox: str
    issued_at: datetime
    nonce: str
    kid: str


def same_origin(a: str, b: str) -> bool:
    """True if two http(s) URLs share scheme, host and (effective) port."""
    pa, pb = urlsplit(a), urlsplit(b)
    default = {"http": 80, "https": 443}
    try:
        return (
            pa.scheme == pb.scheme
            and (pa.hostname or "") == (pb.hostname or "")
            and (pa.port or default.get(pa.scheme)) == (pb.port or default.get(pb.scheme))
        )
    except ValueError:
        return False


def build_follow(
    type: Literal["follow", "unfollow"],
    actor: str,
    object: str,
    inbox: str,
    *,
    issued_at: datetime | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A follow/unfollow request payload; ``nonce`` defaults to 128 random bits."""
    return {
        "type": type,
        "actor": actor,
        "object": object,
        "inbox": inbox,
        "issued_at": format_timestamp(issued_at or datetime.now(UTC).replace(microsecond=0)),
        "nonce": nonce or secrets.token_urlsafe(16),
    }


def sign_follow(payload: dict[str, Any], private_key: Ed25519PrivateKey) -> str:
    """Validate and sign a follow/unfollow request with the follower's group key."""
    schemas.validate_document("follow", payload)
    return sign_jws(payload, private_key, FOLLOW_TYP)


def peek_follow(compact: str | bytes) -> tuple[dict[str, Any], dict[str, Any]]:
    """UNVERIFIED (header, payload) of a follow request, to learn which actor to look up.

    Checks size and shape like :func:`federation.statements.peek` (``typ`` must be
    FOLLOW_TYP, ``actor`` a string). Never trust anything it returns.
    """
    return peek_document(compact, typ=FOLLOW_TYP, issuer_member="actor", max_size=MAX_FOLLOW_BYTES)


def verify_follow(
    compact: str | bytes,
    key_lookup: KeyLookup,
    *,
    now: datetime,
    expected_object: str | None = None,
    max_skew: timedelta = timedelta(minutes=10),
) -> VerifiedFollow:
    """Verify a follow request: size, parse, alg, actor key, signature, schema, then
    inbox-origin, object and freshness (``stale`` if issued_at is more than
    ``max_skew`` from ``now``). ``key_lookup`` is called with the *actor* URL.
    """
    text, header, payload = verify_document(
        compact, key_lookup, typ=FOLLOW_TYP, issuer_member="actor", max_size=MAX_FOLLOW_BYTES
    )
    schemas.validate_document("follow", payload)
    if not same_origin(payload["actor"], payload["inbox"]):
        raise StatementError("schema-invalid", "$.inbox: inbox must be at the actor's origin")
    if expected_object is not None and payload["object"] != expected_object:
        raise StatementError("schema-invalid", "$.object: this inbox does not belong to object")
    issued_at = datetime.fromisoformat(payload["issued_at"].replace("Z", "+00:00"))
    if abs(now - issued_at) > max_skew:
        raise StatementError("stale", "issued_at is outside the acceptance window")
    return VerifiedFollow(
        compact=text,
        type=payload["type"],
        actor=payload["actor"],
        object=payload["object"],
        inbox=payload["inbox"],
        issued_at=issued_at,
        nonce=payload["nonce"],
        kid=header["kid"],
    )
