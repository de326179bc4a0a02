"""verify_many (stage by stage over a batch) must answer exactly as verify() one by one."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from federation import keys, statements
from federation.batch import verify_many
from federation.encoding import b64url_encode, canonical_json
from federation.errors import StatementError

from .conftest import ISSUER

KEY = keys.generate_private_key()
NEW_KEY = keys.generate_private_key()
STRANGER = keys.generate_private_key()
LOOKUP = statements.static_lookup({ISSUER: [keys.public_jwk(KEY)]})


def _payload(kind: str, seq: int) -> dict[str, Any]:
    if kind == "key-rotation":
        body: dict[str, Any] = {
            "previous_kid": keys.public_jwk(KEY)["kid"],
            "new_key": keys.public_jwk(NEW_KEY),
        }
    else:
        body = {"statement_id": str(uuid.uuid4()), "reason": f"number {seq}"}
    prev = None if seq == 1 else "A" * 43  # the chain is not checked here
    return statements.build_payload(kind, ISSUER, seq, prev, body)


def _flip(compact: str, at: int) -> str:
    index = at % len(compact)
    swapped = "A" if compact[index] != "A" else "B"
    return compact[:index] + swapped + compact[index + 1 :]


def make(kind: str, seq: int) -> str:
    """One statement of a kind: valid, or refused at a chosen stage."""
    if kind == "valid":
        return statements.sign(_payload("retraction", seq), KEY)
    if kind == "rotation":
        return statements.sign(_payload("key-rotation", seq), KEY)
    if kind == "malformed":
        return "not.a-statement"
    if kind == "alg-none":  # our header with "alg": "none" over a validly signed statement
        signed = statements.sign(_payload("retraction", seq), KEY)
        header = {"alg": "none", "kid": keys.public_jwk(KEY)["kid"], "typ": statements.TYP}
        return b64url_encode(canonical_json(header)) + signed[signed.index(".") :]
    if kind == "unknown-key":
        return statements.sign(_payload("retraction", seq), STRANGER)
    if kind == "tampered":
        valid = statements.sign(_payload("retraction", seq), KEY)
        return _flip(valid, len(valid) - 5)  # inside the signature
    if kind == "schema-invalid":
        payload = _payload("retraction", seq)
        payload["body"]["reason"] = 7
        return statements.sign_jws(payload, KEY, statements.TYP)
    raise AssertionError(kind)


KINDS = ["valid"] * 5 + ["rotation", "malformed", "alg-none", "unknown-key", "tampered"]
KINDS += ["schema-invalid"]


def one_by_one(compacts: list[str]) -> tuple[list[str], str | None]:
    accepted: list[str] = []
    for compact in compacts:
        try:
            accepted.append(statements.verify(compact, LOOKUP).compact)
        except StatementError as exc:
            return accepted, exc.code
    return accepted, None


def batched(compacts: list[str]) -> tuple[list[str], str | None]:
    accepted: list[str] = []
    while len(accepted) < len(compacts):
        prefix = verify_many(compacts[len(accepted) :], LOOKUP)
        assert prefix.statements or prefix.error is not None, "no progress"
        accepted.extend(st.compact for st in prefix.statements)
        if prefix.error is not None:
            return accepted, prefix.error.code
    return accepted, None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(KINDS), min_size=1, max_size=12))
def test_same_answer_as_one_by_one(kinds: list[str]) -> None:
    compacts = [make(kind, seq) for seq, kind in enumerate(kinds, start=1)]
    assert batched(compacts) == one_by_one(compacts)


def test_stops_after_a_key_rotation_so_the_caller_can_apply_it() -> None:
    compacts = [make("valid", 1), make("rotation", 2), make("valid", 3)]
    prefix = verify_many(compacts, LOOKUP)
    assert [st.seq for st in prefix.statements] == [1, 2]
    assert prefix.error is None


def test_first_refusal_wins_whatever_stage_finds_it() -> None:
    # a bad signature at index 1 comes before an unparseable statement at index 2, although
    # the parse stage (which runs first over the whole batch) finds the latter first
    compacts = [make("valid", 1), make("tampered", 2), make("malformed", 3)]
    prefix = verify_many(compacts, LOOKUP)
    assert [st.seq for st in prefix.statements] == [1]
    assert prefix.error is not None and prefix.error.code == "bad-signature"


def test_lookup_is_not_asked_about_statements_after_a_parse_refusal() -> None:
    asked: list[str] = []

    def lookup(issuer: str, kid: str) -> statements.LookupResult:
        asked.append(kid)
        return LOOKUP(issuer, kid)

    verify_many([make("valid", 1), make("malformed", 2), make("valid", 3)], lookup)
    assert len(asked) == 1
