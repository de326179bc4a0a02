"""A compact JWS split and strictly decoded once (size, shape, header, payload): the *parse*
step of statement verification, shared by peek, the alg check and joserfc.

Strict: canonical unpadded base64url only, JSON without duplicate members or floats, a header
of exactly ``alg``, ``kid`` and the expected ``typ``. Nothing here is verified; see
:mod:`federation.statements`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .encoding import b64url_decode, strict_json_loads
from .errors import StatementError

MAX_HEADER_SEGMENT = 1024
ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})


def as_text(compact: str | bytes, max_size: int) -> str:
    if not isinstance(compact, (str, bytes)):
        raise StatementError("malformed", "statement must be a string")
    if len(compact) > max_size:
        raise StatementError("too-large", f"statement exceeds {max_size} bytes")
    if isinstance(compact, bytes):
        try:
            return compact.decode("ascii")
        except UnicodeDecodeError:
            raise StatementError("malformed", "statement is not ASCII") from None
    if not compact.isascii():
        raise StatementError("malformed", "statement is not ASCII")
    return compact


@dataclass(frozen=True)
class Parsed:
    """A compact JWS split and strictly decoded once, shared by peek, alg check and joserfc."""

    text: str
    header: dict[str, Any]
    payload: dict[str, Any]
    segments: tuple[str, str, str]
    payload_bytes: bytes


_HEADER_CACHE: dict[str, dict[str, Any]] = {}


def _header(segment: str) -> Any:
    """Strictly decode a protected header segment, memoised: every statement signed with one
    key carries the same header, so a batch decodes it once. Callers get their own copy."""
    found = _HEADER_CACHE.get(segment)
    if found is None:
        header = strict_json_loads(b64url_decode(segment))
        if not isinstance(header, dict):
            return header
        if len(_HEADER_CACHE) >= 1024:
            _HEADER_CACHE.clear()
        _HEADER_CACHE[segment] = found = header
    return dict(found)


def split(text: str) -> Parsed:
    parts = text.split(".")
    # An empty signature is left for the alg / signature checks ("alg": "none" is
    # unsupported-alg, not malformed); empty header or payload is malformed.
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise StatementError("malformed", "compact JWS must be header.payload.signature")
    if len(parts[0]) > MAX_HEADER_SEGMENT:
        raise StatementError("malformed", "protected header too long")
    try:
        header = _header(parts[0])
        payload_bytes = b64url_decode(parts[1])
        payload = strict_json_loads(payload_bytes)
        b64url_decode(parts[2])
    except ValueError as exc:
        raise StatementError("malformed", str(exc)) from None
    if not isinstance(header, dict):
        raise StatementError("malformed", "protected header is not a JSON object")
    if not isinstance(payload, dict):
        raise StatementError("malformed", "payload is not a JSON object")
    return Parsed(text, header, payload, (parts[0], parts[1], parts[2]), payload_bytes)


def check_typ(header: Mapping[str, Any], typ: str) -> None:
    value = header.get("typ")
    if not isinstance(value, str):
        raise StatementError("malformed", "header typ missing")
    value = value.lower()
    if value.startswith("application/"):
        value = value[len("application/") :]
    if value != typ:
        raise StatementError("malformed", f"header typ must be {typ!r}")


#: (header segment, typ) pairs whose header already passed :func:`check_header`.
_CHECKED_HEADERS: set[tuple[str, str]] = set()


def check_header(header: Mapping[str, Any], typ: str) -> None:
    extra = set(header) - ALLOWED_HEADER
    if extra:
        raise StatementError("malformed", f"unexpected header members: {sorted(extra)[:5]}")
    if not isinstance(header.get("alg"), str):
        raise StatementError("malformed", "header alg missing")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 1 <= len(kid) <= 128:
        raise StatementError("malformed", "header kid missing")
    check_typ(header, typ)


def peek_parsed(compact: str | bytes, *, typ: str, issuer_member: str, max_size: int) -> Parsed:
    parsed = split(as_text(compact, max_size))
    checked = (parsed.segments[0], typ)
    if checked not in _CHECKED_HEADERS:  # every statement signed with one key has one header
        check_header(parsed.header, typ)
        if len(_CHECKED_HEADERS) >= 1024:
            _CHECKED_HEADERS.clear()
        _CHECKED_HEADERS.add(checked)
    issuer = parsed.payload.get(issuer_member)
    if not isinstance(issuer, str) or not 1 <= len(issuer) <= 2048:
        raise StatementError("malformed", f"payload {issuer_member} missing")
    return parsed
