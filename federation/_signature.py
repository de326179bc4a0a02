"""joserfc's side of verification: JWKs imported once, one registry per accepted ``alg``, and
the signature check of a statement that :mod:`federation._compact` has already decoded.

Signature verification is always joserfc's (``jws.validate_compact``); this module only makes
sure each key is checked and imported once per distinct JWK, not once per statement.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from threading import Lock
from typing import Any, Final

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from ._compact import Parsed, as_text
from .encoding import b64url_decode, strict_json_loads
from .errors import InvalidKeyError, StatementError
from .keys import load_public_jwk, thumbprint

#: Algorithms a verifier accepts: RFC 9864 ``Ed25519`` (what we sign with) and RFC 8037 ``EdDSA``.
ALGORITHMS: Final = ("Ed25519", "EdDSA")
#: Largest registry statement (bytes); joserfc's own payload cap is lifted to twice this.
MAX_REGISTRY_BYTES: Final = 1024 * 1024


def verify_signature(compact: str, jwk: Mapping[str, Any]) -> bytes:
    """Check ``alg`` and the Ed25519 signature of a compact JWS; return the payload bytes.

    Low-level: no typ, kid or schema checks (it also verifies RFC 8037's
    example, whose header is just ``{"alg":"EdDSA"}``). Raises
    ``unsupported-alg``, ``unknown-key`` (jwk not an Ed25519 public key),
    ``bad-signature`` or ``malformed``.
    """
    text = as_text(compact, MAX_REGISTRY_BYTES)
    try:
        header = strict_json_loads(b64url_decode(text.split(".", 1)[0]))
    except ValueError as exc:
        raise StatementError("malformed", str(exc)) from None
    alg = header.get("alg") if isinstance(header, dict) else None
    if alg not in ALGORITHMS:
        raise StatementError("unsupported-alg", f"alg {str(alg)[:40]!r} is not accepted")
    if isinstance(header, dict) and ("crit" in header or "b64" in header):
        raise StatementError("bad-signature", "crit/b64 header parameters are not accepted")
    key = imported_key(jwk).okp
    try:
        b64url_decode(text.rsplit(".", 1)[-1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # joserfc warns that "EdDSA" is deprecated
            obj = jws.deserialize_compact(text, key, registry=registry_for(alg))
    except (JoseError, ValueError, TypeError) as exc:
        raise StatementError(
            "bad-signature", f"signature check failed ({type(exc).__name__})"
        ) from None
    return obj.payload


def check_signature(parsed: Parsed, key: OKPKey) -> None:
    """joserfc's signature check of a statement :func:`federation._compact.split` has already
    strictly decoded.

    The same joserfc steps as ``jws.deserialize_compact``, minus its second base64/JSON
    decoding of the header and payload: the registry's size limits, then
    ``jws.validate_compact``, which checks the header against joserfc's header registry
    (``crit`` and friends), allows only this statement's ``alg``, checks the key's type and
    curve, and verifies the signature over the exact header and payload segments that
    ``split`` decoded, so the payload we go on to use is the one that was signed.
    """
    alg = parsed.header["alg"]
    registry = registry_for(alg)
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


def imported_key(jwk: Mapping[str, Any]) -> _ImportedKey:
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


def _make_registry(alg: str) -> jws.JWSRegistry:
    registry = jws.JWSRegistry(algorithms=[alg])
    # joserfc's default payload cap (128 kB) is below MAX_REGISTRY_BYTES; our own size
    # check has already run, so lift it for these verifications.
    registry.max_payload_length = MAX_REGISTRY_BYTES * 2
    return registry


# One joserfc registry per accepted alg, built once (they hold no per-call state).
_REGISTRIES: Final = {alg: _make_registry(alg) for alg in ALGORITHMS}


def registry_for(alg: str) -> jws.JWSRegistry:
    return _REGISTRIES[alg]
