from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation import keys, statements
from federation.chain import ChainState, classify, verify_run
from federation.errors import StatementError
from federation.statements import VerifiedStatement

from .conftest import ISSUER

Chain = Callable[[int], list[VerifiedStatement]]


def holder(
    chain: list[VerifiedStatement], upto: int
) -> tuple[ChainState, Callable[[int], str | None]]:
    held = {s.seq: s.compact for s in chain[:upto]}
    last = chain[upto - 1] if upto else None
    state = ChainState(upto, last.hash if last else None)
    return state, held.get


def test_append_from_empty_and_middle(chain_of: Chain) -> None:
    chain = chain_of(4)
    state, held = holder(chain, 0)
    assert classify(chain[0], state, held).kind == "append"
    state, held = holder(chain, 2)
    verdict = classify(chain[2], state, held)
    assert verdict.kind == "append" and verdict.ok and verdict.code is None
    verdict.raise_for_error()


def test_duplicate_is_idempotent(chain_of: Chain) -> None:
    chain = chain_of(3)
    state, held = holder(chain, 3)
    for stmt in chain:
        assert classify(stmt, state, held).kind == "duplicate"


def test_gap_reports_missing_range(chain_of: Chain) -> None:
    chain = chain_of(6)
    state, held = holder(chain, 2)
    verdict = classify(chain[5], state, held)
    assert verdict.kind == "gap" and verdict.code == "chain-gap"
    assert verdict.missing == (3, 5)
    with pytest.raises(StatementError) as info:
        verdict.raise_for_error()
    assert info.value.code == "chain-gap"
    assert info.value.to_json()["missing"] == {"from": 3, "to": 5}
    assert info.value.http_status == 409


def test_fork_at_same_seq(key: Ed25519PrivateKey, chain_of: Chain) -> None:
    chain = chain_of(2)
    rival = _sign(key, 2, chain[0].hash)
    state, held = holder(chain, 2)
    verdict = classify(rival, state, held)
    assert verdict.kind == "fork" and verdict.code == "chain-fork"
    with pytest.raises(StatementError, match="chain-fork"):
        verdict.raise_for_error()


def test_wrong_prev_is_fork(key: Ed25519PrivateKey, chain_of: Chain) -> None:
    chain = chain_of(2)
    state, held = holder(chain, 2)
    bad = _sign(key, 3, chain[0].hash)  # links to seq 1, not seq 2
    assert classify(bad, state, held).kind == "fork"
    assert classify(_sign(key, 3, chain[1].hash), state, held).kind == "append"


def test_seq_one_must_have_null_prev(chain_of: Chain) -> None:
    chain = chain_of(2)
    first = dataclasses.replace(chain[0], prev=chain[1].hash)
    assert classify(first, ChainState(), {}.get).kind == "fork"
    second = dataclasses.replace(chain[1], prev=None)
    assert classify(second, *holder(chain, 1)).kind == "fork"


def test_behind_anchor(chain_of: Chain) -> None:
    chain = chain_of(3)
    state = ChainState(2, chain[1].hash)
    assert classify(chain[0], state, {}.get).kind == "behind"
    assert classify(chain[2], state, {}.get).kind == "append"


def _sign(
    key: Ed25519PrivateKey,
    seq: int,
    prev: str | None,
    type_: str = "retraction",
    body: dict | None = None,
) -> VerifiedStatement:  # type: ignore[type-arg]
    body = body or {"statement_id": str(uuid.uuid4()), "reason": f"rival {seq}"}
    payload = statements.build_payload(type_, ISSUER, seq, prev, body)
    lookup = statements.static_lookup({ISSUER: [keys.public_jwk(key)]})
    return statements.verify(statements.sign(payload, key), lookup)


def test_verify_run_good_log(
    key: Ed25519PrivateKey, chain_of: Chain, lookup: statements.KeyLookup
) -> None:
    chain = chain_of(5)
    report = verify_run([s.compact for s in reversed(chain)] + [chain[2].compact], lookup)
    assert report.ok and report.last_seq == 5 and report.last_hash == chain[-1].hash
    assert [s.seq for s in report.accepted] == [1, 2, 3, 4, 5]
    assert verify_run(chain).ok  # verified statements need no lookup


def test_verify_run_reports_gap_and_fork(
    key: Ed25519PrivateKey, chain_of: Chain, lookup: statements.KeyLookup
) -> None:
    chain = chain_of(6)
    report = verify_run([chain[0], chain[1], chain[4], chain[5]])
    assert not report.ok and report.last_seq == 2 and report.missing == ((3, 4),)
    assert report.problems[0].code == "chain-gap" and report.problems[0].seq == 5

    rival = _sign(key, 3, chain[1].hash)
    report = verify_run([*chain, rival])
    assert not report.ok and any(p.code == "chain-fork" and p.seq == 3 for p in report.problems)

    broken = chain[2].compact[:-3] + ("AAA" if not chain[2].compact.endswith("AAA") else "BAA")
    report = verify_run([chain[0].compact, chain[1].compact, broken], lookup)
    assert report.last_seq == 2 and report.problems[0].code in ("bad-signature", "malformed")


def test_verify_run_from_anchor(chain_of: Chain) -> None:
    chain = chain_of(5)
    report = verify_run(chain[3:], anchor=ChainState(3, chain[2].hash))
    assert report.ok and report.last_seq == 5
    report = verify_run(chain[3:], anchor=ChainState(3, chain[1].hash))
    assert not report.ok and report.problems[0].code == "chain-fork"


def test_verify_run_follows_key_rotation(key: Ed25519PrivateKey) -> None:
    new_key = keys.generate_private_key()
    old_jwk = keys.public_jwk(key)
    lookup = statements.static_lookup({ISSUER: [old_jwk]})  # knows only the old key
    s1 = _sign(key, 1, None)
    rot_payload = statements.build_payload(
        "key-rotation",
        ISSUER,
        2,
        s1.hash,
        {"new_key": keys.public_jwk(new_key), "previous_kid": old_jwk["kid"]},
    )
    s2 = statements.sign(rot_payload, key)
    p3 = statements.build_payload(
        "retraction",
        ISSUER,
        3,
        statements.statement_hash(s2),
        {"statement_id": s1.id, "reason": "r"},
    )
    s3 = statements.sign(p3, new_key)
    report = verify_run([s1.compact, s2, s3], lookup)
    assert report.ok and report.last_seq == 3
    # After the rotation the old key is retired for the rest of the run.
    s3_old = statements.sign(p3, key)
    report = verify_run([s1.compact, s2, s3_old], lookup)
    assert not report.ok and report.problems[0].code == "unknown-key"
