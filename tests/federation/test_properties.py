"""Property tests: nothing but a correctly signed, schema-valid statement is accepted,
and verify() never raises anything other than StatementError."""

from __future__ import annotations

import json
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation import keys, statements
from federation.encoding import b64url_encode, contains_nul
from federation.errors import ERROR_CODES, StatementError

from .conftest import ISSUER

KEY = keys.generate_private_key()
JWK = keys.public_jwk(KEY)
LOOKUP = statements.static_lookup({ISSUER: [JWK]})
VALID = statements.sign(
    statements.build_payload(
        "retraction", ISSUER, 1, None, {"statement_id": str(uuid.uuid4()), "reason": "r"}
    ),
    KEY,
)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def rejected(compact: Any) -> StatementError:
    try:
        statements.verify(compact, LOOKUP)
    except StatementError as exc:
        assert exc.code in ERROR_CODES
        return exc
    raise AssertionError(f"accepted: {compact!r}")


@SETTINGS
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    rejected(data)
    rejected(data.decode("latin-1"))


@SETTINGS
@given(
    st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.", max_size=400
    )
)
def test_random_compact_lookalikes(text: str) -> None:
    rejected(text)


@SETTINGS
@given(
    st.dictionaries(st.text(max_size=12), json_values, max_size=8),
    st.dictionaries(
        st.sampled_from(["id", "type", "seq", "prev", "issued_at", "body"]), json_values
    ),
)
def test_random_payloads_signed_with_valid_key(
    extra: dict[str, Any], envelope: dict[str, Any]
) -> None:
    payload = {**extra, **envelope, "issuer": ISSUER}
    compact = statements.sign_jws(payload, KEY, statements.TYP)
    err = rejected(compact)
    # U+0000 anywhere is refused by the strict parse, before the signature; the rest only by
    # the schema, after it
    assert err.code == ("malformed" if contains_nul(payload) else "schema-invalid")


@SETTINGS
@given(st.integers(min_value=0, max_value=len(VALID) - 1), st.integers(1, 255))
def test_byte_mutation_and_truncation(pos: int, xor: int) -> None:
    raw = bytearray(VALID.encode())
    raw[pos] ^= xor
    rejected(bytes(raw))
    rejected(VALID[:pos])


@SETTINGS
@given(
    st.permutations(["alg", "kid", "typ"]),
    st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
    st.booleans(),
)
def test_reencoded_header_breaks_signature(
    order: list[str], seps: tuple[str, str], ascii_: bool
) -> None:
    header, _ = statements.peek(VALID)
    text = json.dumps({k: header[k] for k in order}, separators=seps, ensure_ascii=ascii_)
    h = b64url_encode(text.encode())
    _, p, s = VALID.split(".")
    mutated = f"{h}.{p}.{s}"
    if mutated == VALID:
        return
    assert rejected(mutated).code == "bad-signature"


@SETTINGS
@given(json_values, json_values)
def test_arbitrary_headers(header: Any, payload: Any) -> None:
    h = b64url_encode(json.dumps(header).encode())
    p = b64url_encode(json.dumps(payload).encode())
    s = b64url_encode(KEY.sign(f"{h}.{p}".encode()))
    rejected(f"{h}.{p}.{s}")


def test_other_key_signatures_rejected(key: Ed25519PrivateKey) -> None:
    # Same kid in the header, signature by a different key.
    h, p, _ = VALID.split(".")
    sig = b64url_encode(key.sign(f"{h}.{p}".encode()))
    assert rejected(f"{h}.{p}.{sig}").code == "bad-signature"
