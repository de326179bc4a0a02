"""Shared fixtures for the federation library tests (no Flask, no node/)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from federation import keys, statements

# Published test vectors, vendored with their sources in tests/data/vectors/README.md.
VECTORS = Path(__file__).resolve().parents[1] / "data" / "vectors"
ISSUER = "https://walton.example.org"
OTHER = "http://127.0.0.1:8001/g/shepperton"
BALLOTS_HASH = "47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU"


@pytest.fixture(scope="session")
def rfc8037() -> dict[str, Any]:
    path = VECTORS / "rfc8037.json"
    data: dict[str, Any] = json.loads(path.read_text())
    return data


@pytest.fixture(scope="session")
def key() -> Ed25519PrivateKey:
    return keys.generate_private_key()


@pytest.fixture(scope="session")
def lookup(key: Ed25519PrivateKey) -> statements.KeyLookup:
    return statements.static_lookup({ISSUER: [keys.public_jwk(key)], OTHER: []})


def decision(method: str = "fptp", **overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "method": method,
        "electorate": 40,
        "turnout": 31,
        "result": {"summary": "Sam Ortiz elected", "tallies": {"Sam Ortiz": 20, "Ann Lee": 11}},
        "ballots_hash": None if method == "meeting" else BALLOTS_HASH,
        "decided_on": "2024-03-02",
    }
    base.update(overrides)
    return base


def candidate_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "candidate": "Sam Ortiz",
        "office": "County Councillor",
        "area": "Walton South",
        "election_date": "2024-05-02",
        "decision": decision(),
    }
    body.update(overrides)
    return body


def make_chain(
    key: Ed25519PrivateKey, n: int, issuer: str = ISSUER
) -> list[statements.VerifiedStatement]:
    """n valid statements forming a chain (retractions: small and simple)."""
    lookup = statements.static_lookup({issuer: [keys.public_jwk(key)]})
    out: list[statements.VerifiedStatement] = []
    prev = None
    for seq in range(1, n + 1):
        payload = statements.build_payload(
            "retraction",
            issuer,
            seq,
            prev,
            {"statement_id": str(uuid.uuid4()), "reason": f"number {seq}"},
        )
        stmt = statements.verify(statements.sign(payload, key), lookup)
        out.append(stmt)
        prev = stmt.hash
    return out


@pytest.fixture
def chain_of(key: Ed25519PrivateKey) -> Callable[[int], list[statements.VerifiedStatement]]:
    return lambda n: make_chain(key, n)
