"""Statements verified + validated + stored per second through the inbox code path, against the
raw Ed25519 verify rate of ``cryptography`` measured in the same run.

    .venv/bin/python bench/verify.py [--statements 2000] [--batch 100] [--stages] [--profile]

The node under test is a real app with a SQLite database in a temporary folder; statements are
fed in batches to ``node.peering.ingest.receive`` — the function the inbox view calls (size,
parse, alg, issuer & key, signature, schema, chain, store, commit). Prints both rates and the
ratio (goal: at least 50 %).

The build machine is shared, so the raw rate is measured *interleaved* with the inbox path: before
each batch is received, the same number of raw verifications (of those statements' own signatures)
is timed, and each rate is the total over all batches. A first batch warms up (compiled schemas,
imported keys, SQLAlchemy statement caches) and is not timed. ``--stages`` also times each stage
of ``federation.batch.verify_many`` over the same batches (static key lookup, no database) and
prints every cost as a share of the raw rate; ``--profile`` adds a cProfile of the timed inbox
batches.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import logging
import pstats
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def signed_pairs(compacts: list[str]) -> list[tuple[bytes, bytes]]:
    """(signature, signing input) of each statement, for the raw verify rate."""
    from federation.encoding import b64url_decode

    pairs = []
    for compact in compacts:
        signing_input, _, signature = compact.rpartition(".")
        pairs.append((b64url_decode(signature), signing_input.encode("ascii")))
    return pairs


def time_raw(public: Ed25519PublicKey, pairs: list[tuple[bytes, bytes]]) -> float:
    verify = public.verify
    start = time.perf_counter()
    for signature, message in pairs:
        verify(signature, message)
    return time.perf_counter() - start


STAGES = ("parse", "key", "signature", "schema")


def time_stages(chunk: list[str], lookup: Any, spent: dict[str, float]) -> None:
    """Add the time of each verification stage over ``chunk`` to ``spent``."""
    from federation import statements as fst
    from federation._signature import check_signature

    clock = time.perf_counter
    start = clock()
    parsed = [fst.parse_stage(c, fst.MAX_STATEMENT_BYTES) for c in chunk]
    after_parse = clock()
    keys = [fst.key_stage(p, lookup) for p in parsed]
    after_keys = clock()
    for one, key in zip(parsed, keys, strict=True):
        check_signature(one, key)
    after_signatures = clock()
    for one in parsed:
        fst.schema_stage(one)
    end = clock()
    spent["parse"] += after_parse - start
    spent["key"] += after_keys - after_parse
    spent["signature"] += after_signatures - after_keys
    spent["schema"] += end - after_signatures


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


def run(
    n: int, batch: int, profile: cProfile.Profile | None, stages: dict[str, float] | None = None
) -> tuple[float, float]:
    """(raw verify rate, inbox-path rate) over ``n`` statements after one warm-up batch; with
    ``stages``, also the seconds of each verification stage (see :func:`time_stages`)."""
    from federation import statements as fst
    from federation.keys import load_public_jwk
    from node import create_app
    from node.extensions import db
    from node.groups.operations import create_group
    from node.peering import ingest
    from node.peering.models import Peer

    issuer = "http://peer.bench"
    jwk, compacts = make_statements(issuer, n + batch)
    public = load_public_jwk(jwk)
    pairs = signed_pairs(compacts)
    lookup = fst.static_lookup({issuer: [jwk]})
    raw_seconds = inbox_seconds = 0.0
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            logging.disable(logging.INFO)  # the migrations' progress lines are not the result
            upgrade(directory=app.extensions["migrate"].directory, revision="heads")
            logging.disable(logging.NOTSET)
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
            for i in range(0, n + batch, batch):
                chunk = compacts[i : i + batch]
                timed = i >= batch  # the first batch warms up
                if timed:
                    raw_seconds += time_raw(public, pairs[i : i + batch])
                    if stages is not None:
                        time_stages(chunk, lookup, stages)
                    if profile is not None:
                        profile.enable()
                start = time.perf_counter()
                report = ingest.receive(group, chunk, refetch=False)
                elapsed = time.perf_counter() - start
                if profile is not None:
                    profile.disable()
                assert report.error is None and report.accepted == len(chunk), report.to_json()
                if timed:
                    inbox_seconds += elapsed
            db.session.remove()
            db.engine.dispose()
    if stages is not None:
        stages["raw"], stages["inbox"] = raw_seconds, inbox_seconds
    return n / raw_seconds, n / inbox_seconds


def print_stages(spent: dict[str, float], n: int) -> None:
    raw, inbox = spent["raw"], spent["inbox"]
    verification = sum(spent[name] for name in STAGES)
    rows = [(f"verify: {name}", spent[name]) for name in STAGES]
    rows += [
        ("verify: all stages", verification),
        ("receive minus verify (chain, store, commit)", inbox - verification),
        ("receive, all", inbox),
    ]
    print(f"per statement, and as a share of one raw Ed25519 verify ({raw / n * 1e6:.1f} us):")
    for label, seconds in rows:
        print(f"  {label:45s} {seconds / n * 1e6:7.1f} us {seconds / raw:7.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--stages", action="store_true", help="time each verification stage")
    parser.add_argument("--profile", action="store_true", help="cProfile the inbox batches")
    args = parser.parse_args()
    profile = cProfile.Profile() if args.profile else None
    stages = dict.fromkeys(STAGES, 0.0) if args.stages else None
    raw, inbox = run(args.statements, args.batch, profile, stages)
    print(f"raw Ed25519 verify (cryptography, interleaved): {raw:10.0f} /s")
    print(
        f"inbox path (verify+schema+chain+store, SQLite, batches of {args.batch}): {inbox:10.0f} /s"
    )
    print(f"ratio: {inbox / raw:.1%} (goal >= 50%)")
    if stages is not None:
        print_stages(stages, args.statements)
    if profile is not None:
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("cumulative").print_stats(40)
        print(out.getvalue())


if __name__ == "__main__":
    main()
