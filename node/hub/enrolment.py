"""Enrolment: one-time tokens, and the signed request a group's node sends to join the hub.

The group's officer runs ``commonground hub join HUB_URL --token T --group SLUG``. The node signs
``{"type": "enrol", "group": <its id URL>, "hub": HUB_URL, "token": T, "issued_at": …}`` with the
group's key (``typ`` ``commonground-enrol+jwt``, so it can never pass as a statement) and posts
it to ``HUB_URL/hub/enrol``. The hub fetches the group's discovery document and JWKS from the
group's own origin, checks the signature with them (so only the holder of the group's key can
enrol that URL, and only with a valid token), pins the key's thumbprint and answers with its own
id, key thumbprint and registry URL, which the node checks against the hub's JWKS and pins.
Only the SHA-256 of a token is stored; a token is single-use and expires.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from federation.encoding import b64url_decode, strict_json_loads
from federation.errors import StatementError
from federation.statements import format_timestamp, sign_jws, verify_signature
from node.errors import Invalid

ENROL_TYP = "commonground-enrol+jwt"
TOKEN_LIFETIME = timedelta(days=14)
MAX_ENROL_BYTES = 8 * 1024
MAX_SKEW = timedelta(minutes=10)


class EnrolmentError(Invalid):
    """Enrolment refused: the enrol endpoint answers ``{"error": code, "detail": message}``
    with ``http_status`` (the joining node shows both)."""

    def __init__(self, code: str, detail: str, http_status: int = 400) -> None:
        super().__init__(detail)
        self.code = code
        self.http_status = http_status


def new_token() -> tuple[str, str]:
    """(token to hand over, hash to store)."""
    token = "cgt_" + secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode("utf-8", "replace")).hexdigest()


def build_request(group_url: str, hub_url: str, token: str, when: datetime, private: Any) -> str:
    payload = {
        "type": "enrol",
        "group": group_url,
        "hub": hub_url.rstrip("/"),
        "token": token.strip(),
        "issued_at": format_timestamp(when),
        "nonce": secrets.token_urlsafe(12),
    }
    return sign_jws(payload, private, ENROL_TYP)


def peek_request(compact: bytes | str) -> tuple[dict[str, Any], dict[str, Any]]:
    """UNVERIFIED (header, payload) of an enrolment request: just enough to know whom to ask."""
    if len(compact) > MAX_ENROL_BYTES:
        raise EnrolmentError("too-large", "enrolment request is too large", 413)
    try:
        text = compact.decode("ascii") if isinstance(compact, bytes) else compact
        head, body, _sig = text.strip().split(".")
        header = strict_json_loads(b64url_decode(head))
        payload = strict_json_loads(b64url_decode(body))
    except (ValueError, UnicodeDecodeError):
        raise EnrolmentError("malformed", "body must be a compact JWS") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise EnrolmentError("malformed", "header and payload must be JSON objects")
    if header.get("typ") != ENROL_TYP or payload.get("type") != "enrol":
        raise EnrolmentError("malformed", f"typ must be {ENROL_TYP}")
    for name in ("group", "hub", "token", "issued_at"):
        if not isinstance(payload.get(name), str) or not 1 <= len(payload[name]) <= 2048:
            raise EnrolmentError("malformed", f"payload {name} missing")
    return header, payload


def verify_request(
    compact: bytes | str, keys: list[dict[str, Any]], hub_url: str, now: datetime
) -> dict[str, Any]:
    """Check the signature against the group's published ``keys``, the audience and the age."""
    header, payload = peek_request(compact)
    text = compact.decode("ascii") if isinstance(compact, bytes) else compact
    jwk = next((k for k in keys if k.get("kid") == header.get("kid")), None)
    if jwk is None:
        raise EnrolmentError(
            "unknown-key", "the request is not signed by a key the group publishes"
        )
    try:
        signed = verify_signature(text.strip(), jwk)
    except StatementError as exc:
        raise EnrolmentError(exc.code, exc.detail) from None
    if json.loads(signed) != payload:  # pragma: no cover - same bytes
        raise EnrolmentError("bad-signature", "payload mismatch")
    if payload["hub"].rstrip("/") != hub_url.rstrip("/"):
        raise EnrolmentError("wrong-hub", "this request was made for another hub")
    issued = datetime.fromisoformat(payload["issued_at"].replace("Z", "+00:00"))
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=UTC)
    if abs(now - issued) > MAX_SKEW:
        raise EnrolmentError("stale", "issued_at is outside the acceptance window")
    return payload
