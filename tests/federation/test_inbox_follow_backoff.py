from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation import backoff, follow, inbox, keys, statements
from federation.errors import HTTP_STATUS, StatementError

A = "https://alpha.example.org/g/walton"
B = "https://beta.example.org/g/shepperton"


def err(fn: object, *args: object, **kw: object) -> StatementError:
    with pytest.raises(StatementError) as info:
        fn(*args, **kw)  # type: ignore[operator]
    return info.value


# -- inbox -------------------------------------------------------------------------------


def test_inbox_single_and_batch() -> None:
    assert inbox.parse_inbox_body(b"a.b.c\r\n", "application/jose") == ["a.b.c"]
    assert inbox.parse_inbox_body(b"a.b.c", "Application/JOSE; charset=us-ascii") == ["a.b.c"]
    body = json.dumps({"statements": ["a.b.c", "d.e.f"]}).encode()
    assert inbox.parse_inbox_body(body, "application/json") == ["a.b.c", "d.e.f"]


@pytest.mark.parametrize(
    ("body", "ctype", "code"),
    [
        (b"x" * (1024 * 1024 + 1), "application/json", "too-large"),
        (b"x" * (70 * 1024), "application/jose", "too-large"),
        (json.dumps({"statements": ["a"] * 101}).encode(), "application/json", "too-large"),
        (b"", "application/jose", "malformed"),
        ("é.b.c".encode(), "application/jose", "malformed"),
        (b"{", "application/json", "malformed"),
        (b'{"statements": []}', "application/json", "malformed"),
        (b'{"statements": [1]}', "application/json", "malformed"),
        (b'{"statements": ["a"], "x": 1}', "application/json", "malformed"),
        (b'{"statements": ["a"], "statements": ["b"]}', "application/json", "malformed"),
        (b"a.b.c", "text/plain", "unsupported-media-type"),
        (b"a.b.c", None, "unsupported-media-type"),
    ],
)
def test_inbox_rejects(body: bytes, ctype: str | None, code: str) -> None:
    e = err(inbox.parse_inbox_body, body, ctype)
    assert e.code == code
    assert e.http_status == HTTP_STATUS[code]


def test_error_json_shape() -> None:
    e = StatementError("chain-gap", "expected 3", {"missing": {"from": 3, "to": 4}})
    assert e.to_json() == {
        "error": "chain-gap",
        "detail": "expected 3",
        "missing": {"from": 3, "to": 4},
    }
    with pytest.raises(ValueError):
        StatementError("nope")
    assert {HTTP_STATUS[c] for c in ("chain-gap", "chain-fork")} == {409}
    assert HTTP_STATUS["too-large"] == 413


# -- follow ------------------------------------------------------------------------------

NOW = datetime(2024, 4, 1, 12, 0, tzinfo=UTC)


def _follow(key: Ed25519PrivateKey, **kw: object) -> str:
    args: dict[str, object] = {"type": "follow", "actor": A, "object": B, "inbox": A + "/inbox"}
    args.update(kw)
    payload = follow.build_follow(issued_at=NOW, **args)  # type: ignore[arg-type]
    return follow.sign_follow(payload, key)


def test_follow_round_trip(key: Ed25519PrivateKey) -> None:
    lookup = statements.static_lookup({A: [keys.public_jwk(key)]})
    f = follow.verify_follow(
        _follow(key), lookup, now=NOW + timedelta(minutes=1), expected_object=B
    )
    assert (f.type, f.actor, f.object, f.inbox) == ("follow", A, B, A + "/inbox")
    assert len(f.nonce) >= 16 and f.kid == keys.public_jwk(key)["kid"]
    u = follow.verify_follow(_follow(key, type="unfollow"), lookup, now=NOW)
    assert u.type == "unfollow"


def test_follow_rejections(key: Ed25519PrivateKey) -> None:
    lookup = statements.static_lookup({A: [keys.public_jwk(key)]})
    other = keys.generate_private_key()
    cases = [
        (_follow(key, inbox="https://evil.example/inbox"), "schema-invalid"),
        (_follow(key, inbox="http://alpha.example.org/inbox"), "schema-invalid"),
        (_follow(key, object="https://gamma.example.org"), "schema-invalid"),
        (_follow(other), "unknown-key"),
        (
            _follow(key, actor="https://stranger.example", inbox="https://stranger.example/i"),
            "unknown-issuer",
        ),
    ]
    for compact, code in cases:
        assert err(follow.verify_follow, compact, lookup, now=NOW, expected_object=B).code == code
    assert (
        err(follow.verify_follow, _follow(key), lookup, now=NOW + timedelta(hours=1)).code
        == "stale"
    )
    # A follow request is not a statement, and a statement is not a follow request.
    assert err(statements.verify, _follow(key), lookup).code == "malformed"
    stmt = statements.sign(
        statements.build_payload(
            "retraction",
            A,
            1,
            None,
            {"statement_id": "0b0a0e8e-3d1c-4a55-9f0e-2a1a2b3c4d5e", "reason": "x"},
        ),
        key,
    )
    assert err(follow.verify_follow, stmt, lookup, now=NOW).code == "malformed"
    with pytest.raises(StatementError):
        follow.sign_follow({"type": "follow"}, key)


def test_same_origin() -> None:
    assert follow.same_origin("https://a.example", "https://a.example:443/x")
    assert not follow.same_origin("https://a.example", "http://a.example")
    assert not follow.same_origin("https://a.example", "https://a.example:8443")
    assert not follow.same_origin("https://a.example", "https://a.example:bad")


# -- backoff -----------------------------------------------------------------------------


def test_full_jitter_bounds() -> None:
    rng = random.Random(7)
    for attempts in range(1, 40):
        ceiling = min(backoff.MAX_DELAY, backoff.BASE_DELAY * 2 ** (attempts - 1))
        for _ in range(200):
            d = backoff.next_attempt_delay(attempts, rng)
            assert backoff.MIN_DELAY <= d <= max(ceiling, backoff.MIN_DELAY)
            assert d <= backoff.MAX_DELAY
    big = [backoff.next_attempt_delay(30, rng) for _ in range(500)]
    assert max(big) > backoff.MAX_DELAY * 0.9  # the cap is actually reached
    with pytest.raises(ValueError):
        backoff.next_attempt_delay(0, rng)
    assert backoff.next_attempt_delay(3, random.Random(1)) == backoff.next_attempt_delay(
        3, random.Random(1)
    )


def test_decorrelated_bounds() -> None:
    rng = random.Random(3)
    delay = backoff.BASE_DELAY
    for _ in range(100):
        nxt = backoff.decorrelated_delay(delay, rng)
        assert backoff.BASE_DELAY <= nxt <= min(backoff.MAX_DELAY, delay * 3)
        delay = nxt
    assert delay <= backoff.MAX_DELAY


def test_dead_letter() -> None:
    assert not backoff.should_dead_letter(14) and backoff.should_dead_letter(15)


def test_breaker_transitions() -> None:
    b = backoff.Breaker()
    for i in range(backoff.THRESHOLD - 1):
        b = backoff.record_failure(b, now=100.0 + i)
        assert b.state == "closed" and backoff.allow_request(b, 100.0)[0]
    b = backoff.record_failure(b, now=110.0)
    assert b.state == "open" and b.opened_at == 110.0
    allowed, b = backoff.allow_request(b, 110.0 + backoff.COOL_DOWN - 1)
    assert not allowed and b.state == "open"
    allowed, b = backoff.allow_request(b, 110.0 + backoff.COOL_DOWN)
    assert allowed and b.state == "half-open"
    # Only one probe at a time.
    allowed2, b = backoff.allow_request(b, 111.0 + backoff.COOL_DOWN)
    assert not allowed2
    # Probe fails: open again from now.
    t = 120.0 + backoff.COOL_DOWN
    b = backoff.record_failure(b, now=t)
    assert b.state == "open" and b.opened_at == t
    allowed, b = backoff.allow_request(b, t + backoff.COOL_DOWN)
    assert allowed and b.state == "half-open"
    b = backoff.record_success(b)
    assert b == backoff.Breaker() and backoff.allow_request(b, 0.0) == (True, b)
    # A probe that never reports does not wedge the breaker.
    stuck = backoff.Breaker(state="half-open", failures=5, opened_at=0.0, probe_started=10.0)
    assert backoff.allow_request(stuck, 10.0 + backoff.COOL_DOWN)[0]


def test_peek_follow(key: Ed25519PrivateKey) -> None:
    header, payload = follow.peek_follow(_follow(key))
    assert header["typ"] == follow.FOLLOW_TYP and payload["actor"] == A
    stmt = statements.sign(
        statements.build_payload(
            "retraction",
            A,
            1,
            None,
            {"statement_id": "0b0a0e8e-3d1c-4a55-9f0e-2a1a2b3c4d5e", "reason": "x"},
        ),
        key,
    )
    assert err(follow.peek_follow, stmt).code == "malformed"
    assert err(follow.peek_follow, "a" * 9000).code == "too-large"
