from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation import keys, statements
from federation.encoding import b64url_encode
from federation.errors import StatementError

from .conftest import BALLOTS_HASH, ISSUER, OTHER, candidate_body, decision


def signed(
    key: Ed25519PrivateKey, type_: str, body: dict[str, Any], seq: int = 1, **kw: Any
) -> str:
    prev = kw.pop("prev", None if seq == 1 else BALLOTS_HASH)
    return statements.sign(statements.build_payload(type_, ISSUER, seq, prev, body, **kw), key)


def raw_jws(header: dict[str, Any], payload: Any, sign: Any = None) -> str:
    h = b64url_encode(json.dumps(header).encode())
    p = b64url_encode(json.dumps(payload).encode() if not isinstance(payload, bytes) else payload)
    sig = sign(f"{h}.{p}".encode()) if sign else b""
    return f"{h}.{p}.{b64url_encode(sig)}"


def code_of(compact: str | bytes, lookup: statements.KeyLookup) -> str:
    with pytest.raises(StatementError) as info:
        statements.verify(compact, lookup)
    return info.value.code


VALID_BODIES: dict[str, dict[str, Any]] = {
    "candidate-endorsement": candidate_body(),
    "campaign-endorsement": {
        "campaign": {
            "id": "https://river.example.org/campaigns/clean-the-wey",
            "title": "Clean the Wey",
            "summary": "Stop sewage discharges into the River Wey.",
            "origin": "https://river.example.org",
        },
        "decision": decision("meeting", electorate=None, turnout=18, minute="2024-03-02/4"),
    },
    "retraction": {"statement_id": str(uuid.uuid4()), "reason": "Candidate withdrew."},
    "registry": {
        "groups": [
            {
                "id": "https://walton.example.org",
                "name": "Walton",
                "region": "South East",
                "area": "Elmbridge",
                "thumbprints": ["kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"],
                "status": "active",
            }
        ]
    },
}


@pytest.mark.parametrize("type_", sorted(VALID_BODIES))
def test_round_trip_every_type(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup, type_: str
) -> None:
    when = datetime(2024, 3, 3, 9, 30, tzinfo=UTC)
    compact = signed(key, type_, VALID_BODIES[type_], issued_at=when)
    header, payload = statements.peek(compact)
    assert header == {"alg": "Ed25519", "kid": keys.public_jwk(key)["kid"], "typ": statements.TYP}
    v = statements.verify(compact, lookup)
    assert v.compact == compact and v.type == type_ and v.issuer == ISSUER
    assert v.seq == 1 and v.prev is None and v.kid == header["kid"]
    assert v.issued_at == when and payload["issued_at"] == "2024-03-03T09:30:00Z"
    assert v.hash == b64url_encode(hashlib.sha256(compact.encode("ascii")).digest())
    assert v.hash == statements.statement_hash(compact)
    assert v.body == VALID_BODIES[type_]
    uuid.UUID(v.id)
    assert statements.verify(compact.encode("ascii"), lookup) == v


def test_key_rotation(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    new = keys.public_jwk(keys.generate_private_key())
    old_kid = keys.public_jwk(key)["kid"]
    body = {"new_key": new, "previous_kid": old_kid}
    v = statements.verify(signed(key, "key-rotation", body, seq=7), lookup)
    assert v.body["new_key"] == new
    # Must be signed by the key it retires.
    other = keys.generate_private_key()
    lk = statements.static_lookup({ISSUER: [keys.public_jwk(key), keys.public_jwk(other)]})
    assert code_of(signed(other, "key-rotation", body, seq=7), lk) == "schema-invalid"
    with pytest.raises(StatementError, match="same as the previous"):
        signed(key, "key-rotation", {"new_key": keys.public_jwk(key), "previous_kid": old_kid})
    with pytest.raises(StatementError, match="schema-invalid"):
        signed(key, "key-rotation", {"new_key": {**new, "d": "AAAA"}, "previous_kid": old_kid})


def test_sign_refuses_invalid_payload(key: Ed25519PrivateKey) -> None:
    with pytest.raises(StatementError) as info:
        signed(key, "retraction", {"statement_id": "nope", "reason": "x"})
    assert info.value.code == "schema-invalid"
    assert "$.body.statement_id" in info.value.detail


def test_sign_refuses_nul_which_no_verifier_accepts(key: Ed25519PrivateKey) -> None:
    with pytest.raises(StatementError) as info:
        signed(key, "retraction", {"statement_id": str(uuid.uuid4()), "reason": "a\x00b"})
    assert info.value.code == "malformed"


def test_escaped_backslash_u0000_is_just_text(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup
) -> None:
    body = {"statement_id": str(uuid.uuid4()), "reason": "literally \\u0000"}
    statements.verify(signed(key, "retraction", body), lookup)


def test_build_payload_rejects_naive_datetime() -> None:
    with pytest.raises(ValueError):
        statements.build_payload("retraction", ISSUER, 1, None, {}, issued_at=datetime(2024, 1, 1))


@pytest.mark.parametrize(
    ("body", "path"),
    [
        (candidate_body(candidate=""), "$.body.candidate"),
        (candidate_body(extra="x"), "$.body"),
        (candidate_body(election_date="2024-13-01"), "$.body.election_date"),
        (candidate_body(decision=decision(turnout=41)), "$.body.decision.turnout"),
        (candidate_body(decision=decision(method="stv")), "$.body.decision.method"),
        (candidate_body(decision=decision(ballots_hash=None)), "$.body.decision.ballots_hash"),
        (
            candidate_body(decision=decision("meeting", ballots_hash=BALLOTS_HASH)),
            "$.body.decision.ballots_hash",
        ),
        (candidate_body(decision=decision(turnout=-1)), "$.body.decision.turnout"),
        (candidate_body(office="x" * 201), "$.body.office"),
    ],
)
def test_schema_invalid_only_after_valid_signature(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup, body: dict[str, Any], path: str
) -> None:
    payload = statements.build_payload("candidate-endorsement", ISSUER, 1, None, body)
    compact = statements.sign_jws(payload, key, statements.TYP)  # bypasses sign()'s check
    with pytest.raises(StatementError) as info:
        statements.verify(compact, lookup)
    assert info.value.code == "schema-invalid"
    assert path in info.value.detail
    # The same invalid body with a broken signature is bad-signature, never schema-invalid.
    h, p, s = compact.split(".")
    broken = f"{h}.{p}.{s[:-2]}{'AA' if s[-2:] != 'AA' else 'BA'}"
    assert code_of(broken, lookup) == "bad-signature"


def test_envelope_rules(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    body = VALID_BODIES["retraction"]
    bad = [
        statements.build_payload("retraction", ISSUER, 1, BALLOTS_HASH, body),
        statements.build_payload("retraction", ISSUER, 2, None, body),
        statements.build_payload("retraction", ISSUER, 0, None, body),
        statements.build_payload("retraction", ISSUER, 1, None, body, id="not-a-uuid"),
        statements.build_payload(
            "retraction", ISSUER, 1, None, body, issued_at="2024-01-01T00:00:00+01:00"
        ),
        statements.build_payload("petition", ISSUER, 1, None, body),
        {**statements.build_payload("retraction", ISSUER, 1, None, body), "extra": 1},
    ]
    for payload in bad:
        compact = statements.sign_jws(payload, key, statements.TYP)
        assert code_of(compact, lookup) == "schema-invalid", payload


def test_unknown_issuer_and_key(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    body = VALID_BODIES["retraction"]
    stranger = statements.sign(
        statements.build_payload("retraction", "https://nobody.example", 1, None, body), key
    )
    assert code_of(stranger, lookup) == "unknown-issuer"
    # OTHER is trusted but has no keys; a statement claiming to be OTHER signed by key.
    forged = statements.sign(statements.build_payload("retraction", OTHER, 1, None, body), key)
    assert code_of(forged, lookup) == "unknown-key"
    # A lookup handing back a key whose thumbprint is not the kid is unknown-key too.
    wrong = keys.public_jwk(keys.generate_private_key())
    assert code_of(signed(key, "retraction", body), lambda i, k: wrong) == "unknown-key"

    # A lookup may raise instead of returning a sentinel.
    def raising(issuer: str, kid: str) -> None:
        raise StatementError("unknown-issuer", "blocked")

    assert code_of(signed(key, "retraction", body), raising) == "unknown-issuer"


def _hs256(secret: bytes) -> Any:
    return lambda data: hmac.new(secret, data, hashlib.sha256).digest()


def test_alg_confusion_refused(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    jwk = keys.public_jwk(key)
    payload = statements.build_payload("retraction", ISSUER, 1, None, VALID_BODIES["retraction"])
    base = {"kid": jwk["kid"], "typ": statements.TYP}
    secrets = [
        jwk["x"].encode(),
        base64.urlsafe_b64decode(jwk["x"] + "="),
        json.dumps(jwk).encode(),
    ]
    cases = [raw_jws({"alg": "none", **base}, payload)]
    cases += [raw_jws({"alg": "HS256", **base}, payload, _hs256(s)) for s in secrets]
    cases += [
        raw_jws({"alg": a, **base}, payload, lambda d: b"\x01" * 64)
        for a in ("RS256", "ES256", "PS256", "Ed448", "eddsa", "ED25519", "")
    ]
    for compact in cases:
        assert code_of(compact, lookup) == "unsupported-alg", compact.split(".")[0]
        with pytest.raises(StatementError) as info:
            statements.verify_signature(compact, jwk)
        assert info.value.code == "unsupported-alg"


def test_eddsa_alg_statement_accepted(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    jwk = keys.public_jwk(key)
    payload = statements.build_payload("retraction", ISSUER, 1, None, VALID_BODIES["retraction"])
    sig = lambda d: key.sign(d)  # noqa: E731
    compact = raw_jws({"alg": "EdDSA", "kid": jwk["kid"], "typ": statements.TYP}, payload, sig)
    assert statements.verify(compact, lookup).header["alg"] == "EdDSA"


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"alg": "Ed25519", "typ": statements.TYP}, "malformed"),  # no kid
        ({"alg": "Ed25519", "kid": "k"}, "malformed"),  # no typ
        ({"alg": "Ed25519", "kid": "k", "typ": "JWT"}, "malformed"),
        ({"alg": "Ed25519", "kid": "k", "typ": statements.TYP, "b64": False}, "malformed"),
        ({"alg": "Ed25519", "kid": "k", "typ": statements.TYP, "crit": ["x"], "x": 1}, "malformed"),
        ({"alg": "Ed25519", "kid": "k", "typ": statements.TYP, "jwk": {}}, "malformed"),
        ({"alg": 5, "kid": "k", "typ": statements.TYP}, "malformed"),
    ],
)
def test_header_shape(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup, header: dict[str, Any], code: str
) -> None:
    header = {**header}
    if header.get("kid") == "k":
        header["kid"] = keys.public_jwk(key)["kid"]
    payload = statements.build_payload("retraction", ISSUER, 1, None, VALID_BODIES["retraction"])
    assert code_of(raw_jws(header, payload, key.sign), lookup) == code


def test_typ_variants_accepted(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    kid = keys.public_jwk(key)["kid"]
    payload = statements.build_payload("retraction", ISSUER, 1, None, VALID_BODIES["retraction"])
    for typ in ("application/commonground-statement+jwt", "Commonground-Statement+JWT"):
        statements.verify(
            raw_jws({"alg": "Ed25519", "kid": kid, "typ": typ}, payload, key.sign), lookup
        )


def test_size_first(key: Ed25519PrivateKey, lookup: statements.KeyLookup) -> None:
    assert code_of("A" * (statements.MAX_STATEMENT_BYTES + 1), lookup) == "too-large"
    assert code_of(b"\xff" * (statements.MAX_STATEMENT_BYTES + 1), lookup) == "too-large"
    body = {"statement_id": str(uuid.uuid4()), "reason": "x" * 2000}
    compact = signed(key, "retraction", body)
    statements.verify(compact, lookup)
    with pytest.raises(StatementError, match="too-large"):
        statements.verify(compact, lookup, max_size=len(compact) - 1)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"issuer": "https://walton.example.org", "issuer": "https://evil.example"}',
        b'{"issuer": "https://walton.example.org", "seq": 1.0}',
        b'{"issuer": "https://walton.example.org", "seq": NaN}',
        b'{"issuer": "https://walton.example.org", "x": "\\ud800"}',
        b'{"issuer": "https://walton.example.org", "x": ["ok", "nul \\u0000 here"]}',
        b'{"issuer": "https://walton.example.org", "k\\u0000": 1}',
        b"[1, 2]",
        b"\xef\xbb\xbf{}",
        b'{"issuer": 5}',
        b"{}",
        b"[" * 5000 + b"]" * 5000,
        '{"issuer": "https://walton.example.org"}'.encode("utf-16"),
    ],
)
def test_payload_parse_strictness(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup, payload: bytes
) -> None:
    kid = keys.public_jwk(key)["kid"]
    compact = raw_jws({"alg": "Ed25519", "kid": kid, "typ": statements.TYP}, payload, key.sign)
    assert code_of(compact, lookup) == "malformed"


@pytest.mark.parametrize(
    "compact",
    [
        "",
        ".",
        "..",
        "a.b",
        "a.b.c.d",
        "e30.e30.=",
        "e30=.e30.AA",
        "e30.e30.A+/B",
        "é.e30.AA",
        "e30 .e30.AA",
        "e31.e30.AA",
    ],
)
def test_structure_malformed(lookup: statements.KeyLookup, compact: str) -> None:
    assert code_of(compact, lookup) == "malformed"


def test_exhaustive_single_char_and_bit_flips(
    key: Ed25519PrivateKey, lookup: statements.KeyLookup
) -> None:
    payload = statements.build_payload(
        "retraction", ISSUER, 1, None, {"statement_id": str(uuid.uuid4()), "reason": "x"}
    )
    compact = statements.sign(payload, key)
    statements.verify(compact, lookup)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "
    tried = 0
    for i, original in enumerate(compact):
        for c in alphabet:
            if c == original:
                continue
            mutated = compact[:i] + c + compact[i + 1 :]
            with pytest.raises(StatementError):
                statements.verify(mutated, lookup)
            tried += 1
    raw = compact.encode("ascii")
    for i in range(len(raw)):
        for bit in range(8):
            mutated_bytes = raw[:i] + bytes([raw[i] ^ (1 << bit)]) + raw[i + 1 :]
            with pytest.raises(StatementError):
                statements.verify(mutated_bytes, lookup)
            tried += 1
    # Truncations and extensions too.
    for n in range(len(compact)):
        with pytest.raises(StatementError):
            statements.verify(compact[:n], lookup)
    for extra in ("A", "=", ".", "\n", " "):
        with pytest.raises(StatementError):
            statements.verify(compact + extra, lookup)
    assert tried > 10 * len(compact)


def test_peek_is_shape_only(key: Ed25519PrivateKey) -> None:
    compact = signed(key, "retraction", VALID_BODIES["retraction"])
    h, p, s = compact.split(".")
    other = signed(key, "retraction", VALID_BODIES["retraction"], seq=2).split(".")[2]
    header, payload = statements.peek(f"{h}.{p}.{other}")  # bad signature: peek does not care
    assert payload["issuer"] == ISSUER and header["alg"] == "Ed25519"
    with pytest.raises(StatementError, match="malformed"):
        statements.peek("x.y.z")
    with pytest.raises(StatementError, match="too-large"):
        statements.peek("a" * 70000)


def test_registry_size_limit(key: Ed25519PrivateKey) -> None:
    groups = [
        {
            "id": f"https://g{i}.example.org",
            "name": f"Group {i}",
            "region": "North",
            "thumbprints": [BALLOTS_HASH],
            "status": "active",
        }
        for i in range(600)
    ]
    compact = signed(key, "registry", {"groups": groups})
    assert len(compact) > statements.MAX_STATEMENT_BYTES
    lk = statements.static_lookup({ISSUER: [keys.public_jwk(key)]})
    assert code_of(compact, lk) == "too-large"
    v = statements.verify(compact, lk, max_size=statements.MAX_REGISTRY_BYTES)
    assert len(v.body["groups"]) == 600
