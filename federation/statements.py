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
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from threading import Lock
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from . import schemas
from ._util import (
    b64url_decode,
    canonical_json,
    contains_nul,
    sha256_b64url,
    strict_json_loads,
)
from .errors import InvalidKeyError, StatementError
from .keys import load_public_jwk, public_jwk, thumbprint

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
    "static_lookup",
]

#: ``typ`` header of chained statements (media type application/commonground-statement+jwt).
TYP: Final = "commonground-statement+jwt"
#: Algorithms a verifier accepts: RFC 9864 ``Ed25519`` (what we sign with) and RFC 8037 ``EdDSA``.
ALGORITHMS: Final = ("Ed25519", "EdDSA")
#: Largest compact statement accepted (bytes). Registry statements may use MAX_REGISTRY_BYTES.
MAX_STATEMENT_BYTES: Final = 64 * 1024
MAX_REGISTRY_BYTES: Final = 1024 * 1024
_MAX_HEADER_SEGMENT = 1024
_ALLOWED_HEADER = frozenset({"alg", "kid", "typ"})


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


def _as_text(compact: str | bytes, max_size: int) -> str:
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
class _Parsed:
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


def _split(text: str) -> _Parsed:
    parts = text.split(".")
    # An empty signature is left for the alg / signature checks ("alg": "none" is
    # unsupported-alg, not malformed); empty header or payload is malformed.
    if len(parts) != 3 or not parts[0] or not parts[1]:
        raise StatementError("malformed", "compact JWS must be header.payload.signature")
    if len(parts[0]) > _MAX_HEADER_SEGMENT:
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
    return _Parsed(text, header, payload, (parts[0], parts[1], parts[2]), payload_bytes)


def _check_typ(header: Mapping[str, Any], typ: str) -> None:
    value = header.get("typ")
    if not isinstance(value, str):
        raise StatementError("malformed", "header typ missing")
    value = value.lower()
    if value.startswith("application/"):
        value = value[len("application/") :]
    if value != typ:
        raise StatementError("malformed", f"header typ must be {typ!r}")


def _peek(
    compact: str | bytes, *, typ: str, issuer_member: str, max_size: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    parsed = _peek_parsed(compact, typ=typ, issuer_member=issuer_member, max_size=max_size)
    return parsed.header, parsed.payload


#: (header segment, typ) pairs whose header already passed :func:`_check_header`.
_CHECKED_HEADERS: set[tuple[str, str]] = set()


def _check_header(header: Mapping[str, Any], typ: str) -> None:
    extra = set(header) - _ALLOWED_HEADER
    if extra:
        raise StatementError("malformed", f"unexpected header members: {sorted(extra)[:5]}")
    if not isinstance(header.get("alg"), str):
        raise StatementError("malformed", "header alg missing")
    kid = header.get("kid")
    if not isinstance(kid, str) or not 1 <= len(kid) <= 128:
        raise StatementError("malformed", "header kid missing")
    _check_typ(header, typ)


def _peek_parsed(compact: str | bytes, *, typ: str, issuer_member: str, max_size: int) -> _Parsed:
    parsed = _split(_as_text(compact, max_size))
    checked = (parsed.segments[0], typ)
    if checked not in _CHECKED_HEADERS:  # every statement signed with one key has one header
        _check_header(parsed.header, typ)
        if len(_CHECKED_HEADERS) >= 1024:
            _CHECKED_HEADERS.clear()
        _CHECKED_HEADERS.add(checked)
    issuer = parsed.payload.get(issuer_member)
    if not isinstance(issuer, str) or not 1 <= len(issuer) <= 2048:
        raise StatementError("malformed", f"payload {issuer_member} missing")
    return parsed


def peek(
    compact: str | bytes, *, max_size: int = MAX_STATEMENT_BYTES
) -> tuple[dict[str, Any], dict[str, Any]]:
    """UNVERIFIED (header, payload) of a statement, for routing only.

    Checks size and shape (three canonical base64url parts, JSON objects,
    header exactly alg/kid/typ with our typ, a string ``issuer``) and raises
    ``too-large`` or ``malformed``. Never trust anything it returns.
    """
    return _peek(compact, typ=TYP, issuer_member="issuer", max_size=max_size)


def verify_signature(compact: str, jwk: Mapping[str, Any]) -> bytes:
    """Check ``alg`` and the Ed25519 signature of a compact JWS; return the payload bytes.

    Low-level: no typ, kid or schema checks (it also verifies RFC 8037's
    example, whose header is just ``{"alg":"EdDSA"}``). Raises
    ``unsupported-alg``, ``unknown-key`` (jwk not an Ed25519 public key),
    ``bad-signature`` or ``malformed``.
    """
    text = _as_text(compact, MAX_REGISTRY_BYTES)
    try:
        header = strict_json_loads(b64url_decode(text.split(".", 1)[0]))
    except ValueError as exc:
        raise StatementError("malformed", str(exc)) from None
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg not in ALGORITHMS:
        raise StatementError("unsupported-alg", f"alg {str(alg)[:40]!r} is not accepted")
    if isinstance(header, dict) and ("crit" in header or "b64" in header):
        raise StatementError("bad-signature", "crit/b64 header parameters are not accepted")
    key = _imported_key(jwk).okp
    try:
        b64url_decode(text.rsplit(".", 1)[-1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated
            obj = jws.deserialize_compact(text, key, registry=_registry(alg))
    except (JoseError, ValueError, TypeError) as exc:
        raise StatementError(
            "bad-signature", f"signature check failed ({type(exc).__name__})"
        ) from None
    return obj.payload


def _verify_parsed_signature(parsed: _Parsed, key: OKPKey) -> None:
    """joserfc's signature check of a statement ``_split`` has already strictly decoded.

    The same joserfc steps as ``jws.deserialize_compact``, minus its second base64/JSON
    decoding of the header and payload: the registry's size limits, then
    ``jws.validate_compact``, which checks the header against joserfc's header registry
    (``crit`` and friends), allows only this statement's ``alg``, checks the key's type and
    curve, and verifies the signature over the exact header and payload segments that
    ``_split`` decoded, so the payload we go on to use is the one that was signed.
    """
    alg = parsed.header["alg"]
    registry = _registry(alg)
    head, body, signature = (segment.encode("ascii") for segment in parsed.segments)
    obj = jws.CompactSignature(dict(parsed.header), parsed.payload_bytes)
    obj.segments.update({"header": head, "payload": body, "signature": signature})
    try:
        registry.validate_compact_value_size(parsed.text.encode("ascii"))
        registry.validate_header_size(head)
        registry.validate_signature_size(signature)
        registry.validate_payload_size(body)
        if alg == "EdDSA":
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated
                ok = jws.validate_compact(obj, key, registry=registry)
        else:
            ok = jws.validate_compact(obj, key, registry=registry)
    except (JoseError, ValueError, TypeError) as exc:
        raise StatementError(
            "bad-signature", f"signature check failed ({type(exc).__name__})"
        ) from None
    if not ok:
        raise StatementError("bad-signature", "signature check failed (BadSignatureError)")


@dataclass(frozen=True)
class _ImportedKey:
    okp: OKPKey  # joserfc key, imported from the required members only
    kid: str  # its RFC 7638 thumbprint


_KEY_CACHE: dict[tuple[tuple[str, Any], ...], _ImportedKey] = {}
_KEY_CACHE_MAX = 4096
_KEY_CACHE_LOCK = Lock()


def _import_key(jwk: Mapping[str, Any]) -> _ImportedKey:
    try:
        load_public_jwk(jwk)
        kid = thumbprint(jwk)
    except InvalidKeyError as exc:
        raise StatementError("unknown-key", str(exc)) from None
    # Only the required members: a published "alg" must not veto the other Ed25519 alg name.
    okp = OKPKey.import_key({"kty": "OKP", "crv": "Ed25519", "x": jwk["x"]})
    return _ImportedKey(okp, kid)


def _imported_key(jwk: Mapping[str, Any]) -> _ImportedKey:
    """``load_public_jwk`` + thumbprint + joserfc import of ``jwk``, once per distinct JWK.

    A node or hub verifies thousands of statements with a handful of keys; checking and
    importing the JWK again for each cost as much as the signature check itself. The cache
    key is the JWK's full contents (every member takes part in ``load_public_jwk``'s
    checks), only valid keys are cached, and the cache is bounded.
    """
    if not isinstance(jwk, Mapping):
        raise StatementError("unknown-key", "JWK must be a JSON object")
    try:
        cache_key = tuple(sorted(jwk.items()))
        hash(cache_key)
    except TypeError:  # unhashable members (key_ops list): check and import uncached
        return _import_key(jwk)
    found = _KEY_CACHE.get(cache_key)
    if found is None:
        found = _import_key(jwk)
        with _KEY_CACHE_LOCK:
            if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
                _KEY_CACHE.clear()
            _KEY_CACHE[cache_key] = found
    return found


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


def _make_registry(alg: str) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=[alg])
    # joserfc's default payload cap (128 kB) is below MAX_REGISTRY_BYTES; our own size
    # check has already run, so lift it for these verifications.
    registry.max_payload_length = MAX_REGISTRY_BYTES * 2
    return registry


# One joserfc registry per accepted alg, built once (they hold no per-call state).
_REGISTRIES: Final = {alg: _make_registry(alg) for alg in ALGORITHMS}


def _registry(alg: str) -> jws.JWSRegistry:
    return _REGISTRIES[alg]


def _resolve_key(key_lookup: KeyLookup, issuer: str, kid: str) -> OKPKey:
    found = key_lookup(issuer, kid)
    if found is UNKNOWN_ISSUER:
        raise StatementError("unknown-issuer", f"issuer {issuer[:200]} is not trusted here")
    if found is None or found is UNKNOWN_KEY or not isinstance(found, Mapping):
        raise StatementError("unknown-key", f"no key {kid[:64]} for issuer {issuer[:200]}")
    imported = _imported_key(found)
    if imported.kid != kid:
        raise StatementError("unknown-key", "key lookup returned a key with a different thumbprint")
    return imported.okp


def _check_alg(header: Mapping[str, Any]) -> None:
    if header["alg"] not in ALGORITHMS:
        raise StatementError("unsupported-alg", f"alg {header['alg'][:40]!r} is not accepted")


def _verify(
    compact: str | bytes,
    key_lookup: KeyLookup,
    *,
    typ: str,
    issuer_member: str,
    max_size: int,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    parsed = _peek_parsed(compact, typ=typ, issuer_member=issuer_member, max_size=max_size)
    header, payload = parsed.header, parsed.payload
    _check_alg(header)
    key = _resolve_key(key_lookup, payload[issuer_member], header["kid"])
    _verify_parsed_signature(parsed, key)
    return parsed.text, header, payload


# The stages of statement verification, in the protocol's order. ``verify`` runs them on one
# statement; ``federation.batch.verify_many`` runs each over a whole batch in turn.


def _parse_stage(compact: str | bytes, max_size: int) -> _Parsed:
    """size, parse, alg."""
    parsed = _peek_parsed(compact, typ=TYP, issuer_member="issuer", max_size=max_size)
    _check_alg(parsed.header)
    return parsed


def _key_stage(parsed: _Parsed, key_lookup: KeyLookup) -> OKPKey:
    """issuer & key."""
    return _resolve_key(key_lookup, parsed.payload["issuer"], parsed.header["kid"])


def _schema_stage(parsed: _Parsed) -> VerifiedStatement:
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
    parsed = _parse_stage(compact, max_size)
    _verify_parsed_signature(parsed, _key_stage(parsed, key_lookup))
    return _schema_stage(parsed)
