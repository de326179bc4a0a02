"""RFC 8037 Appendix A, reproduced exactly with joserfc and verified by our verifier."""

from __future__ import annotations

import hashlib
import warnings
from typing import Any

import pytest
from joserfc import jws
from joserfc.jwk import OKPKey

from federation import keys, statements
from federation.encoding import b64url_encode
from federation.errors import StatementError


def test_a3_thumbprint(rfc8037: dict[str, Any]) -> None:
    digest = hashlib.sha256(rfc8037["a3_thumbprint_input"].encode()).digest()
    assert digest.hex() == rfc8037["a3_thumbprint_sha256_hex"]
    assert keys.thumbprint(rfc8037["a2_public_jwk"]) == rfc8037["a3_thumbprint_b64url"]
    assert keys.thumbprint(rfc8037["a1_private_jwk"]) == rfc8037["a3_thumbprint_b64url"]


def test_a4_sign_exactly(rfc8037: dict[str, Any]) -> None:
    key = OKPKey.import_key(rfc8037["a1_private_jwk"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compact = jws.serialize_compact(
            {"alg": "EdDSA"}, rfc8037["a4_payload_text"], key, algorithms=["EdDSA"]
        )
    header, payload, signature = compact.split(".")
    assert header == rfc8037["a4_protected_header_b64url"]
    assert payload == rfc8037["a4_payload_b64url"]
    assert f"{header}.{payload}" == rfc8037["a4_signing_input"]
    assert signature == rfc8037["a4_signature_b64url"]
    assert compact == rfc8037["a4_compact_jws"]
    assert b64url_encode(rfc8037["a4_protected_header_json"].encode()) == header


def test_a5_verify_with_our_verifier(rfc8037: dict[str, Any]) -> None:
    payload = statements.verify_signature(rfc8037["a4_compact_jws"], rfc8037["a2_public_jwk"])
    assert payload == rfc8037["a4_payload_text"].encode()
    # Our key publication format (alg "Ed25519") must still verify the EdDSA example.
    published = {**rfc8037["a2_public_jwk"], "alg": "Ed25519", "use": "sig"}
    assert statements.verify_signature(rfc8037["a4_compact_jws"], published) == payload


def test_derived_ed25519_alg(rfc8037: dict[str, Any]) -> None:
    derived = rfc8037["derived_not_rfc"]
    key = OKPKey.import_key(rfc8037["a1_private_jwk"])
    compact = jws.serialize_compact(
        {"alg": "Ed25519"}, rfc8037["a4_payload_text"], key, algorithms=["Ed25519"]
    )
    assert compact == derived["compact_jws"]
    assert compact.split(".")[0] == b64url_encode(derived["protected_header_json"].encode())
    assert (
        statements.verify_signature(compact, rfc8037["a2_public_jwk"])
        == b"Example of Ed25519 signing"
    )


def test_rfc_example_is_not_a_statement(rfc8037: dict[str, Any]) -> None:
    lookup = statements.static_lookup({"https://x.example": [rfc8037["a2_public_jwk"]]})
    with pytest.raises(StatementError) as info:
        statements.verify(rfc8037["a4_compact_jws"], lookup)
    assert info.value.code == "malformed"


def test_rfc_signature_fails_with_other_key(rfc8037: dict[str, Any]) -> None:
    other = keys.public_jwk(keys.generate_private_key())
    with pytest.raises(StatementError) as info:
        statements.verify_signature(rfc8037["a4_compact_jws"], other)
    assert info.value.code == "bad-signature"
