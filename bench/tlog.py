"""Transparency-log benchmark (issue 20): the hub's log at 1,000,000 entries, in PostgreSQL.

In one run:

1. **fill**: append ``--entries`` leaves through ``node.hub.log.store.append`` in batches
   (synthetic statements rows, inserted by COPY like ingest does; no signing), so the log,
   its subtree table and its indexes have their full size;
2. **append latency** at that size: ``append`` of one inbox-sized batch (100 statements) and of a
   single statement, each in its own transaction (commit included), p50/p99;
3. **proof latency** at that size: inclusion and consistency proofs for random leaves and sizes,
   through ``store`` and through the HTTP views (test client, JSON included), p50/p99;
4. **ingest with and without the log**: real signed chains (bench/hub.py's generator) fed
   through ``node.peering.ingest.receive`` into two hubs of the same database, group by group,
   alternating: hub A with the log's receiver connected (its log holds the 1,000,000 entries),
   hub B with it disconnected. Alternating cancels most of the drift of a shared machine.

    .venv/bin/python bench/tlog.py --entries 1000000 --groups 60 --per-group 500 \
        --db postgresql+psycopg://postgres@127.0.0.1:5432/postgres
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.hub import enrol_directly, generate

FILL_BATCH = 5000


def _rows(hub_id: int, issuer: str, start: int, count: int) -> list[dict[str, Any]]:
    when = datetime(2026, 1, 1)
    return [
        {
            "group_id": hub_id,
            "issuer": issuer,
            "seq": seq,
            "statement_id": f"00000000-0000-4000-8000-{seq:012d}",
            "type": "candidate-endorsement",
            "prev": None,
            "hash": f"{seq:043d}",
            "kid": "bench",
            "payload": {},
            # about the size of a real endorsement's compact JWS
            "compact": f"eyJhbGciOiJFZDI1NTE5In0.{seq:0>900}.{'s' * 86}",
            "issued_at": when,
            "received_at": when,
            "verification": "verified",
        }
        for seq in range(start, start + count)
    ]


class _Stored:
    """What ``append`` reads of a verified statement."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.compact, self.issuer, self.seq = row["compact"], row["issuer"], row["seq"]


def _store(hub_id: int, issuer: str, start: int, count: int) -> list[_Stored]:
    from node.bulk import insert_rows
    from node.peering.ingest import STATEMENTS

    rows = _rows(hub_id, issuer, start, count)
    insert_rows(STATEMENTS, rows)
    return [_Stored(r) for r in rows]


def fill(hub_id: int, entries: int) -> float:
    from node.extensions import db
    from node.hub.log import store

    t0 = time.perf_counter()
    done = 0
    while done < entries:
        size = min(FILL_BATCH, entries - done)
        store.append(hub_id, _store(hub_id, "http://filler.bench", done + 1, size))
        db.session.commit()
        done += size
        if done % 200_000 == 0:
            print(f"  filled {done:,} ({done / (time.perf_counter() - t0):,.0f}/s)", flush=True)
    return time.perf_counter() - t0


def _pct(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values):6.2f} p99 {p99:6.2f} ms"


def _timed(run: Callable[[], Any], repeat: int) -> str:
    """Wall and this process's CPU percentiles: on a shared, loaded machine wall time is mostly
    waiting for a core; CPU time is the work's own cost (PostgreSQL's CPU is not in it)."""
    walls, cpus = [], []
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        run()
        walls.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
    return f"wall {_pct(walls)}; CPU {_pct(cpus)}"


def append_latency(hub_id: int, repeat: int) -> None:
    from node.extensions import db
    from node.hub.log import store

    for size in (100, 1):
        issuer = f"http://append{size}.bench"
        batches = []
        for i in range(repeat):
            batches.append(_store(hub_id, issuer, i * size + 1, size))
        db.session.commit()
        pending = iter(batches)

        def run(pending: Any = pending) -> None:
            store.append(hub_id, next(pending))
            db.session.commit()

        print(f"  append of {size:3d} statement(s), commit included: {_timed(run, repeat)}")


def proof_latency(app: Any, hub_id: int, repeat: int) -> None:
    from node.hub.log import store

    size = store.head(hub_id).size
    rng = random.Random(20)
    client = app.test_client()
    base = "http://hub.bench/hub/log"
    cases: list[tuple[str, Callable[[], Any]]] = [
        ("inclusion (store)", lambda: store.inclusion_proof(hub_id, rng.randrange(size), size)),
        (
            "consistency (store)",
            lambda: store.consistency_proof(hub_id, rng.randrange(1, size), size),
        ),
        (
            "GET /hub/log/proof/inclusion",
            lambda: client.get(
                f"{base}/proof/inclusion?index={rng.randrange(size)}&tree_size={size}"
            ),
        ),
        (
            "GET /hub/log/proof/consistency",
            lambda: client.get(
                f"{base}/proof/consistency?first={rng.randrange(1, size)}&second={size}"
            ),
        ),
        (
            "GET /hub/log/entries?limit=1000",
            lambda: client.get(f"{base}/entries?start={rng.randrange(size - 1000)}&limit=1000"),
        ),
        ("GET /hub/log/checkpoint", lambda: client.get(f"{base}/checkpoint")),
    ]
    for name, run in cases:
        run()  # warm-up
        print(f"  {name:32s} {_timed(run, repeat)}")


def ingest_both(app: Any, hubs: tuple[int, int], chains: list[dict[str, Any]]) -> None:
    """Chains alternate between hub A (log on) and hub B (log off); rate of each."""
    from node import signals
    from node.extensions import db
    from node.groups.models import Group
    from node.hub.log.setup import append_received
    from node.peering.ingest import receive

    spent = {True: 0.0, False: 0.0}
    cpu = {True: 0.0, False: 0.0}
    stored = {True: 0, False: 0}
    for n, chain in enumerate(chains):
        logged = n % 2 == 0
        hub_id = hubs[0] if logged else hubs[1]
        if not logged:
            signals.statements_received.disconnect(append_received, sender=app)
        try:
            t0, c0 = time.perf_counter(), time.process_time()
            items = chain["statements"]
            for start in range(0, len(items), 100):
                report = receive(db.session.get_one(Group, hub_id), items[start : start + 100])
                if report.error is not None:
                    raise SystemExit(f"refused: {report.error.code} {report.error.detail}")
                stored[logged] += report.accepted if n >= 2 else 0
            if n >= 2:  # the first pair warms up caches and prepared statements: not counted
                spent[logged] += time.perf_counter() - t0
                cpu[logged] += time.process_time() - c0
        finally:
            if not logged:
                signals.statements_received.connect(append_received, sender=app)
    for logged, label in ((True, "with the log:   "), (False, "without the log:")):
        print(
            f"  {label} {stored[logged]:,} statements in {spent[logged]:.1f}s ="
            f" {stored[logged] / spent[logged]:,.0f}/s wall,"
            f" {stored[logged] / cpu[logged]:,.0f}/s per CPU second"
        )
    wall = 1 - (stored[True] / spent[True]) / (stored[False] / spent[False])
    per_cpu = 1 - (stored[True] / cpu[True]) / (stored[False] / cpu[False])
    print(f"  the log costs {wall:.1%} of ingest throughput (wall), {per_cpu:.1%} (CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--groups", type=int, default=60, help="signed chains for the ingest part")
    parser.add_argument("--per-group", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(args.db)
    name = "cg_bench_tlog"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    db_url = admin.set(database=name).render_as_string(hide_password=False)

    from flask_migrate import upgrade

    from node import create_app
    from node.extensions import db
    from node.groups.operations import create_group

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": db_url,
            "INSTANCE_PATH": tempfile.mkdtemp(prefix="cg-bench-tlog-"),
            "SECRET_KEY": "bench",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    chains = generate(args.groups, args.per_group, 2)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        hub_a = create_group("Bench Hub", slug="hub", url="http://hub.bench", role="hub")
        hub_b = create_group("Other Hub", slug="other", url="http://other.bench", role="hub")
        db.session.commit()
        enrol_directly(hub_a, chains[0::2])
        enrol_directly(hub_b, chains[1::2])
        print(f"tlog bench: a log of {args.entries:,} entries (PostgreSQL)")
        took = fill(hub_a.id, args.entries)
        print(
            f"filled in {took:.1f}s ({args.entries / took:,.0f} appends/s in batches of {FILL_BATCH})"
        )
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        print(f"append latency at {args.entries:,} entries:")
        append_latency(hub_a.id, args.repeat)
        print(f"proof latency at {args.entries:,} entries ({args.repeat} random each):")
        proof_latency(app, hub_a.id, args.repeat)
        total = args.groups * args.per_group
        print(f"ingest of {total:,} signed statements, alternating hub A (log) and hub B (no log):")
        ingest_both(app, (hub_a.id, hub_b.id), chains)
        size = db.session.scalar(
            text(
                "SELECT sum(pg_total_relation_size(c)) FROM unnest(ARRAY["
                "'hub_log_leaves', 'hub_log_nodes', 'hub_log_heads']::regclass[]) AS c"
            )
        )
        print(
            f"log tables: {size / 1024 / 1024:,.0f} MiB ({size / args.entries:,.0f} bytes per entry)"
        )
        db.session.remove()
        db.engine.dispose()
    if not args.keep:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
