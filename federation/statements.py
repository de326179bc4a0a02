"""Signed statements: build, sign, peek, verify.

A statement is a compact JWS (RFC 7515) whose payload is a JSON object and
whose protected header is exactly ``{"alg", "kid", "typ"}``. Signing and
signature verification are delegated to joserfc (key objects and registries
memoised, each statement decoded once); this module adds the
protocol's rules around it, in a fixed order so every implementation rejects
the same input with the same code:

    size -> parse -> alg -> issuer & key -> signature -> schema

Nothing that fails the signature reaches schema validation, so an attacker
cannot use our schema errors as an oracle or make us parse attacker-chosen
documents in depth.
"""

from __future__ import annotations

import uuid as _uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwk import OKPKey

from . import schemas
from ._compact import Parsed, peek_parsed
from ._signature import (
    ALGORITHMS,
    MAX_REGISTRY_BYTES,
    check_signature,
    imported_key,
    verify_signature,
)
from .encoding import (
    canonical_json,
    contains_nul,
    sha256_b64url,
)
from .errors import StatementError
from .keys import public_jwk, thumbprint

__all__ = [
    "TYP",
    "ALGORITHMS",
    "MAX_STATEMENT_BYTES",
    "MAX_REGISTRY_BYTES",
    "UNKNOWN_ISSUER",
    "UNKNOWN_KEY",
    "KeyLookup",
    "LookupResult",
    "VerifiedStatement",
    "build_payload",
    "format_timestamp",
    "sign",
    "sign_jws",
    "statement_hash",
    "peek",
    "verify_signature",
    "verify",
    "verify_signed",
    "static_lookup",
    "owns_campaign",
]

#: ``typ`` header of chained statements (media type application/commonground-statement+jwt).
TYP: Final = "commonground-statement+jwt"
#: Largest compact statement accepted (bytes). Registry statements may use MAX_REGISTRY_BYTES.
MAX_STATEMENT_BYTES: Final = 64 * 1024


class _Sentinel:
    def __init__(self, name: str) -> None:
        self._name = name

    def __repr__(self) -> str:
        return self._name


#: Returned by a key lookup when the issuer is not one we trust.
UNKNOWN_ISSUER: Final = _Sentinel("UNKNOWN_ISSUER")
#: Returned by a key lookup when the issuer is trusted but ``kid`` is not one of its keys.
UNKNOWN_KEY: Final = _Sentinel("UNKNOWN_KEY")

#: What a key lookup returns: a public JWK, UNKNOWN_ISSUER, UNKNOWN_KEY or None (= unknown key).
LookupResult = Mapping[str, Any] | _Sentinel | None
#: ``key_lookup(issuer, kid) -> LookupResult``; may also raise
#: StatementError("unknown-issuer" | "unknown-key", ...).
KeyLookup = Callable[[str, str], LookupResult]


@dataclass(frozen=True)
class VerifiedStatement:
    """A statement whose signature, issuer key and schema have all been checked."""

    compact: str
    header: dict[str, Any]
    payload: dict[str, Any]
    id: str
    type: str
    issuer: str
    seq: int
    prev: str | None
    kid: str
    hash: str
    issued_at: datetime
    #: The payload exactly as signed (UTF-8 JSON text), stored verbatim rather than re-encoded.
    payload_json: str

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.payload["body"]
        return body


def format_timestamp(when: datetime) -> str:
    """RFC 3339 UTC with ``Z``, whole seconds (microseconds only if present)."""
    if when.tzinfo is None or when.utcoffset() is None:
        raise ValueError("timestamps must be timezone-aware")
    when = when.astimezone(UTC)
    spec = "seconds" if when.microsecond == 0 else "microseconds"
    return when.replace(tzinfo=None).isoformat(timespec=spec) + "Z"


def build_payload(
    type: str,
    issuer: str,
    seq: int,
    prev: str | None,
    body: Mapping[str, Any],
    *,
    id: str | None = None,
    issued_at: datetime | str | None = None,
) -> dict[str, Any]:
    """Assemble a statement payload (not yet validated; :func:`sign` validates)."""
    if issued_at is None:
        issued_at = datetime.now(UTC).replace(microsecond=0)
    stamp = issued_at if isinstance(issued_at, str) else format_timestamp(issued_at)
    return {
        "id": id if id is not None else str(_uuid.uuid4()),
        "type": type,
        "issuer": issuer,
        "seq": seq,
        "prev": prev,
        "issued_at": stamp,
        "body": dict(body),
    }


def sign_jws(payload: Mapping[str, Any], private_key: Ed25519PrivateKey, typ: str) -> str:
    """Sign any JSON object as a compact JWS with our header (no schema check)."""
    header = {"alg": "Ed25519", "kid": public_jwk(private_key)["kid"], "typ": typ}
    key = OKPKey.import_key(private_key)
    return jws.serialize_compact(header, canonical_json(payload), key, algorithms=["Ed25519"])


def sign(payload: Mapping[str, Any], private_key: Ed25519PrivateKey) -> str:
    """Validate ``payload`` against its schema and sign it; returns the compact JWS.

    Refuses to produce a statement a verifier would reject (schema-invalid or
    too-large), so bugs surface at the signer.
    """
    schemas.validate(payload)
    if contains_nul(payload):
        raise StatementError("malformed", "strings must not contain U+0000")
    compact = sign_jws(payload, private_key, TYP)
    limit = MAX_REGISTRY_BYTES if payload.get("type") == "registry" else MAX_STATEMENT_BYTES
    if len(compact) > limit:
        raise StatementError("too-large", f"statement is {len(compact)} bytes, limit {limit}")
    return compact


def statement_hash(compact: str) -> str:
    """b64url(SHA-256(ASCII bytes of the compact JWS)): the next statement's ``prev``."""
    return sha256_b64url(compact.encode("ascii"))


def peek_document(
    compact: str | bytes, *, typ: str, issuer_member: str, max_size: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """UNVERIFIED (header, payload) of a signed document of ``typ`` (a statement, a follow
    request) whose signer is named by ``issuer_member``."""
    parsed = peek_parsed(compact, typ=typ, issuer_member=issuer_member, max_size=max_size)
    return parsed.header, parsed.payload


def peek(
    compact: str | bytes, *, max_size: int = MAX_STATEMENT_BYTES
) -> tuple[dict[str, Any], dict[str, Any]]:
    """UNVERIFIED (header, payload) of a statement, for routing only.

    Checks size and shape (three canonical base64url parts, JSON objects,
    header exactly alg/kid/typ with our typ, a string ``issuer``) and raises
    ``too-large`` or ``malformed``. Never trust anything it returns.
    """
    return peek_document(compact, typ=TYP, issuer_member="issuer", max_size=max_size)


def static_lookup(trusted: Mapping[str, Iterable[Mapping[str, Any]]]) -> KeyLookup:
    """A key lookup over a fixed ``{issuer: [public JWK, ...]}`` allowlist."""
    table = {
        issuer: {thumbprint(jwk): dict(jwk) for jwk in keys} for issuer, keys in trusted.items()
    }

    def lookup(issuer: str, kid: str) -> LookupResult:
        keys = table.get(issuer)
        if keys is None:
            return UNKNOWN_ISSUER
        return keys.get(kid, UNKNOWN_KEY)

    return lookup


def _resolve_key(key_lookup: KeyLookup, issuer: str, kid: str) -> OKPKey:
    found = key_lookup(issuer, kid)
    if found is UNKNOWN_ISSUER:
        raise StatementError("unknown-issuer", f"issuer {issuer[:200]} is not trusted here")
    if found is None or found is UNKNOWN_KEY or not isinstance(found, Mapping):
        raise StatementError("unknown-key", f"no key {kid[:64]} for issuer {issuer[:200]}")
    imported = imported_key(found)
    if imported.kid != kid:
        raise StatementError("unknown-key", "key lookup returned a key with a different thumbprint")
    return imported.okp


def _check_alg(header: Mapping[str, Any]) -> None:
    if header["alg"] not in ALGORITHMS:
        raise StatementError("unsupported-alg", f"alg {header['alg'][:40]!r} is not accepted")


def verify_document(
    compact: str | bytes,
    key_lookup: KeyLookup,
    *,
    typ: str,
    issuer_member: str,
    max_size: int,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(text, header, payload) of a signed document of ``typ`` once its alg, signer's key and
    signature are checked (the schema is the caller's)."""
    parsed = peek_parsed(compact, typ=typ, issuer_member=issuer_member, max_size=max_size)
    header, payload = parsed.header, parsed.payload
    _check_alg(header)
    key = _resolve_key(key_lookup, payload[issuer_member], header["kid"])
    check_signature(parsed, key)
    return parsed.text, header, payload


# The stages of statement verification, in the protocol's order. ``verify`` runs them on one
# statement; ``federation.batch.verify_many`` runs each over a whole batch in turn.


def parse_stage(compact: str | bytes, max_size: int) -> Parsed:
    """size, parse, alg."""
    parsed = peek_parsed(compact, typ=TYP, issuer_member="issuer", max_size=max_size)
    _check_alg(parsed.header)
    return parsed


def key_stage(parsed: Parsed, key_lookup: KeyLookup) -> OKPKey:
    """issuer & key."""
    return _resolve_key(key_lookup, parsed.payload["issuer"], parsed.header["kid"])


def schema_stage(parsed: Parsed) -> VerifiedStatement:
    """schema (only ever run on a statement whose signature has been checked)."""
    header, payload = parsed.header, parsed.payload
    schemas.validate(payload)
    if payload["type"] == "key-rotation" and payload["body"]["previous_kid"] != header["kid"]:
        raise StatementError(
            "schema-invalid", "$.body.previous_kid: key-rotation must be signed by the previous key"
        )
    return VerifiedStatement(
        compact=parsed.text,
        header=header,
        payload=payload,
        id=payload["id"],
        type=payload["type"],
        issuer=payload["issuer"],
        seq=payload["seq"],
        prev=payload["prev"],
        kid=header["kid"],
        hash=statement_hash(parsed.text),
        issued_at=datetime.fromisoformat(payload["issued_at"].replace("Z", "+00:00")),
        payload_json=parsed.payload_bytes.decode("utf-8"),
    )


def verify(
    compact: str | bytes,
    key_lookup: KeyLookup,
    *,
    max_size: int = MAX_STATEMENT_BYTES,
) -> VerifiedStatement:
    """Fully verify a statement, in the order size, parse, alg, issuer & key, signature, schema.

    Raises :class:`StatementError` and nothing else for any input (unless
    ``key_lookup`` itself raises something else).
    """
    return schema_stage(verify_signed(compact, key_lookup, max_size=max_size))


def verify_signed(
    compact: str | bytes,
    key_lookup: KeyLookup,
    *,
    max_size: int = MAX_STATEMENT_BYTES,
) -> Parsed:
    """The statement parsed, once size, parse, alg, issuer & key and signature are checked: who
    signed it, not yet whether its body is valid (``verify`` goes on to the schema; a log's
    verifier only needs to know each entry is its issuer's). Raises :class:`StatementError`."""
    parsed = parse_stage(compact, max_size)
    check_signature(parsed, key_stage(parsed, key_lookup))
    return parsed


def owns_campaign(issuer: str, campaign_id: str) -> bool:
    """Is ``issuer`` the group whose campaign ``campaign_id`` is (protocol §4.3)?

    It is when the campaign's URL lies under the issuer's id URL: same scheme, host and port,
    and a path under the issuer's path (no ``.``/``..`` segment, which a browser would resolve
    elsewhere). Only the owner's statements define a campaign's title, summary and origin; any
    other group's endorsement counts for it but never names or describes it, so nobody can
    squat a campaign by being first to mention its URL.
    """
    try:
        mine, theirs = urlsplit(issuer.rstrip("/")), urlsplit(campaign_id)
        same_site = (mine.scheme, mine.hostname, mine.port) == (
            theirs.scheme,
            theirs.hostname,
            theirs.port,
        )
    except ValueError:
        return False
    prefix = mine.path + "/"
    if not same_site or mine.query or not theirs.path.startswith(prefix):
        return False
    rest = unquote(theirs.path[len(prefix) :])
    return bool(rest) and not {".", ".."} & set(rest.split("/"))
