"""Hostile input through the real inbox view: every error code, and what is (not) stored."""

from __future__ import annotations

import base64
import json

from sqlalchemy import func, select

from federation import statements as fst
from node.extensions import db
from node.peering.models import ForkEvidence, Peer, Statement
from tests.peering.conftest import WALTON, Forger, trust

PEER = "http://peer.test"
JOSE = {"Content-Type": "application/jose"}


def post(client, body, content_type="application/jose"):
    data = body.encode() if isinstance(body, str) else body
    return client.post(
        "/federation/inbox", data=data, headers={"Content-Type": content_type}, base_url=WALTON
    )


def held() -> int:
    return db.session.scalar(select(func.count()).select_from(Statement)) or 0


def setup_peer(walton):
    forger = Forger(PEER)
    trust(walton, PEER, forger.jwk)
    return forger


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_accepts_a_chain_and_repeats_are_idempotent(client, walton):
    forger = setup_peer(walton)
    first, second = forger.next(), forger.next()
    response = post(client, first)
    assert response.status_code == 202 and response.json == {"accepted": 1, "duplicates": 0}
    assert post(client, first).json == {"accepted": 0, "duplicates": 1}
    batch = client.post("/federation/inbox", json={"statements": [first, second]}, base_url=WALTON)
    assert batch.status_code == 202 and batch.json == {"accepted": 1, "duplicates": 1}
    assert held() == 2
    row = db.session.scalar(select(Statement).where(Statement.seq == 2))
    assert row.verification == "verified" and row.compact == second and row.issuer == PEER


def assert_refused(response, code, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.json["error"] == code
    assert isinstance(response.json["detail"], str)


def test_bad_signature(client, walton):
    forger = setup_peer(walton)
    compact = forger.next()
    head, payload, sig = compact.split(".")
    flipped = sig[:10] + ("A" if sig[10] != "A" else "B") + sig[11:]
    assert_refused(post(client, f"{head}.{payload}.{flipped}"), "bad-signature", 401)
    # A payload swapped under a valid signature
    other = forger.sign(forger.payload(seq=1, candidate="Someone Else"))
    assert_refused(post(client, f"{head}.{other.split('.')[1]}.{sig}"), "bad-signature", 401)
    assert held() == 0


def test_unknown_issuer(client, walton):
    stranger = Forger("http://stranger.test")
    assert_refused(post(client, stranger.next()), "unknown-issuer", 403)
    assert held() == 0


def test_unknown_key_from_trusted_issuer_refetches_jwks_at_most_once(client, walton, wsgi):
    forger = setup_peer(walton)
    impostor = Forger(PEER)  # right issuer, key nobody confirmed
    assert_refused(post(client, impostor.next()), "unknown-key", 401)
    assert_refused(post(client, impostor.next()), "unknown-key", 401)
    jwks_fetches = [url for _, url in wsgi.sent if url.endswith("/federation/jwks.json")]
    assert len(jwks_fetches) == 1  # rate-limited
    assert held() == 0
    peer = db.session.scalar(select(Peer))
    assert peer.keys == [forger.jwk]


def test_unsupported_alg(client, walton):
    forger = setup_peer(walton)
    payload = forger.payload()
    body = b64(payload)
    for alg in ("none", "HS256", "RS256", "ES256", "Ed448"):
        header = b64({"alg": alg, "kid": forger.jwk["kid"], "typ": fst.TYP})
        assert_refused(post(client, f"{header}.{body}.c2ln"), "unsupported-alg", 400)
    header = b64({"alg": "none", "kid": forger.jwk["kid"], "typ": fst.TYP})
    assert_refused(post(client, f"{header}.{body}."), "unsupported-alg", 400)
    assert held() == 0


def test_schema_invalid_is_checked_after_the_signature(client, walton):
    forger = setup_peer(walton)
    payload = forger.payload()
    payload["body"]["unexpected"] = "field"
    assert_refused(post(client, forger.sign(payload)), "schema-invalid", 400)
    # the same invalid payload, unsigned by a trusted key, never reaches the schema check
    assert_refused(post(client, Forger(PEER).sign(payload)), "unknown-key", 401)
    assert held() == 0


def test_too_large(client, walton):
    setup_peer(walton)
    assert_refused(post(client, "a" * (64 * 1024 + 10)), "too-large", 413)
    huge = json.dumps({"statements": ["x" * 1000] * 1100})
    assert_refused(post(client, huge, "application/json"), "too-large", 413)
    assert_refused(
        client.post("/federation/inbox", json={"statements": ["x.y.z"] * 101}, base_url=WALTON),
        "too-large",
        413,
    )


def test_malformed_and_media_type(client, walton):
    setup_peer(walton)
    assert_refused(post(client, "not-a-jws"), "malformed", 400)
    assert_refused(post(client, b"\xff\xfe", "application/jose"), "malformed", 400)
    assert_refused(post(client, "{", "application/json"), "malformed", 400)
    assert_refused(post(client, '{"statements": []}', "application/json"), "malformed", 400)
    assert_refused(post(client, "x", "text/plain"), "unsupported-media-type", 415)


def test_chain_gap_schedules_a_backfill(client, walton):
    forger = setup_peer(walton)
    first, _second, third = forger.next(), forger.next(), forger.next()
    assert post(client, first).status_code == 202
    db.session.execute(db.update(Peer).values(next_pull_at=None))
    db.session.commit()
    response = post(client, third)
    assert_refused(response, "chain-gap", 409)
    assert response.json["missing"] == {"from": 2, "to": 2}
    assert held() == 1
    db.session.expire_all()
    assert db.session.scalar(select(Peer)).next_pull_at is not None  # the worker backfills


def test_chain_fork_keeps_the_first_and_records_evidence(client, walton):
    forger = setup_peer(walton)
    first = forger.next()
    assert post(client, first).status_code == 202
    rival = forger.sign(forger.payload(seq=1, prev=None, candidate="Rival Candidate"))
    assert_refused(post(client, rival), "chain-fork", 409)
    assert_refused(post(client, rival), "chain-fork", 409)
    db.session.expire_all()
    assert db.session.scalar(select(Statement.compact)) == first
    evidence = db.session.scalars(select(ForkEvidence)).all()
    assert len(evidence) == 1 and evidence[0].compact == rival
    peer = db.session.scalar(select(Peer))
    assert peer.status == "flagged" and "fork" in peer.status_detail
    # a wrong prev at the next seq is a fork too
    bad_link = forger.sign(forger.payload(seq=2, prev=fst.statement_hash(rival)))
    assert_refused(post(client, bad_link), "chain-fork", 409)
    assert held() == 1


def test_batch_stops_at_the_first_refusal(client, walton):
    forger = setup_peer(walton)
    good = [forger.next(), forger.next()]
    bad = Forger(PEER).next()
    response = client.post("/federation/inbox", json={"statements": [*good, bad]}, base_url=WALTON)
    assert_refused(response, "unknown-key", 401)
    assert response.json["index"] == 2 and response.json["accepted"] == 2
    assert held() == 2


def test_own_statements_and_unfollowed_issuers_are_refused(client, walton, runner):
    from node.peering import operations as ops

    row = ops.endorse_candidate(
        walton, "A", "B", "C", "2025-05-01", ops.meeting_decision("2025-01-01", "M/1", "ok")
    )
    db.session.commit()
    assert_refused(post(client, row.compact), "unknown-issuer", 403)
    forger = setup_peer(walton)
    db.session.execute(db.update(Peer).values(status="unfollowed"))
    db.session.commit()
    assert_refused(post(client, forger.next()), "unknown-issuer", 403)


def test_no_group_here_is_a_json_404(client, walton, shepperton):
    response = client.post(
        "/federation/inbox", data="x", headers=JOSE, base_url="http://other.test"
    )
    assert response.status_code == 404 and response.json["error"] == "not-found"


def test_a_batch_that_raced_a_concurrent_store_is_retried_as_duplicates(
    client, walton, monkeypatch
):
    """A push and a pull of the same statements can both pass the chain check before either
    commits; the database's UNIQUE (holder, issuer, seq) refuses the loser's INSERT (on
    PostgreSQL through COPY), and ``receive`` runs the batch again and finds duplicates."""
    from federation.chain import ChainState
    from node.peering import ingest

    forger = setup_peer(walton)
    statements = [forger.next(), forger.next()]
    assert post(client, statements[0]).status_code == 202
    real_state = ingest._Receiver.state
    stale = {"left": 1}

    def state(self, issuer):  # the first attempt reads the chain as it was before the push
        if stale["left"]:
            stale["left"] -= 1
            self.states[issuer] = ChainState()
        return real_state(self, issuer)

    monkeypatch.setattr(ingest._Receiver, "state", state)
    report = ingest.receive(db.session.get(type(walton), walton.id), statements, refetch=False)
    assert stale["left"] == 0
    assert (report.accepted, report.duplicates, report.error) == (1, 1, None)
    assert held() == 2
