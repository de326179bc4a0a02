"""Statements verified + validated + stored per second through the inbox code path, against the
raw Ed25519 verify rate of ``cryptography`` measured in the same run.

    .venv/bin/python bench/verify.py [--statements 2000] [--batch 100]

The node under test is a real app with a SQLite database in a temporary folder; statements are
fed in batches to ``node.federation.ingest.receive`` — the function the inbox view calls (size,
parse, alg, issuer & key, signature, schema, chain, store, commit). Prints both rates and the
ratio (goal: at least 50 %).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def raw_rate(n: int) -> float:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    message = b"x" * 700  # about the size of a statement's signing input
    signature = key.sign(message)
    start = time.perf_counter()
    for _ in range(n):
        public.verify(signature, message)
    return n / (time.perf_counter() - start)


def make_statements(issuer: str, n: int) -> tuple[dict[str, str], list[str]]:
    from federation import keys, statements

    key = keys.generate_private_key()
    decision = {
        "method": "meeting",
        "electorate": None,
        "turnout": 20,
        "result": {"summary": "Agreed"},
        "ballots_hash": None,
        "decided_on": "2025-01-10",
        "minute": "GM/1",
    }
    out: list[str] = []
    prev = None
    for seq in range(1, n + 1):
        body = {
            "candidate": f"Candidate {seq}",
            "office": "County Council",
            "area": "Walton South",
            "election_date": "2025-05-01",
            "decision": decision,
        }
        payload = statements.build_payload(
            "candidate-endorsement", issuer, seq, prev, body, issued_at="2025-01-11T10:00:00Z"
        )
        compact = statements.sign(payload, key)
        prev = statements.statement_hash(compact)
        out.append(compact)
    return keys.public_jwk(key), out


def inbox_rate(n: int, batch: int) -> float:
    from node import create_app
    from node.extensions import db
    from node.federation.ingest import receive
    from node.federation.models import Peer
    from node.groups.operations import create_group

    issuer = "http://peer.bench"
    jwk, compacts = make_statements(issuer, n)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SECRET_KEY": "bench",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade(directory=app.extensions["migrate"].directory, revision="heads")
            group = create_group("Bench", slug="bench", url="http://bench.test")
            db.session.add(
                Peer(
                    group_id=group.id,
                    issuer=issuer,
                    name="Peer",
                    inbox=issuer + "/federation/inbox",
                    outbox=issuer + "/federation/outbox",
                    jwks_uri=issuer + "/federation/jwks.json",
                    thumbprints=[jwk["kid"]],
                    keys=[jwk],
                    status="active",
                    last_pulled_seq=0,
                )
            )
            db.session.commit()
            start = time.perf_counter()
            for i in range(0, n, batch):
                report = receive(group, compacts[i : i + batch], refetch=False)
                assert report.error is None and report.accepted == len(compacts[i : i + batch])
            elapsed = time.perf_counter() - start
            db.session.remove()
            db.engine.dispose()
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    args = parser.parse_args()
    raw = raw_rate(max(args.statements, 5000))
    inbox = inbox_rate(args.statements, args.batch)
    print(f"raw Ed25519 verify (cryptography): {raw:10.0f} /s")
    print(
        f"inbox path (verify+schema+chain+store, SQLite, batches of {args.batch}): {inbox:10.0f} /s"
    )
    print(f"ratio: {inbox / raw:.1%} (goal >= 50%)")


if __name__ == "__main__":
    main()
