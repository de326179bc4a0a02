"""Property: mutated statements thrown at the real inbox view are never accepted, never a 5xx."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from node.extensions import db
from node.peering.models import Statement
from tests.peering.conftest import WALTON, Forger, trust

PEER = "http://peer.test"
FORGER = Forger(PEER)
GOOD = FORGER.next()
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.={}\"' \x00é"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = GOOD
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        action = draw(st.sampled_from(["flip", "delete", "insert", "truncate"]))
        char = draw(st.sampled_from(ALPHABET))
        if action == "flip":
            text = text[:i] + char + text[i + 1 :]
        elif action == "delete":
            text = text[:i] + text[i + 1 :]
        elif action == "insert":
            text = text[:i] + char + text[i:]
        else:
            text = text[:i]
    return text


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=mutated(), as_batch=st.booleans())
def test_mutated_statements_are_refused(client, walton, body, as_batch):
    if not db.session.scalar(select(func.count()).select_from(Statement)):
        from node.peering.models import Peer

        if db.session.scalar(select(func.count()).select_from(Peer)) == 0:
            trust(walton, PEER, FORGER.jwk)
    if body == GOOD or not body.strip():
        return
    if as_batch:
        response = client.post("/federation/inbox", json={"statements": [body]}, base_url=WALTON)
    else:
        response = client.post(
            "/federation/inbox",
            data=body.encode("utf-8", "surrogatepass"),
            headers={"Content-Type": "application/jose"},
            base_url=WALTON,
        )
    assert 400 <= response.status_code < 500, (response.status_code, body)
    assert isinstance(response.json["error"], str)
    assert db.session.scalar(select(func.count()).select_from(Statement)) == 0
