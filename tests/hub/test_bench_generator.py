"""A small run of ``bench/hub.py``'s generator through the hub's ingest path: the incrementally
maintained aggregates must equal a count made independently from the generated statements, and
a rebuild from the store must give the same numbers."""

from __future__ import annotations

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from bench import hub as bench_hub
from federation import statements as fst
from node.extensions import db


def _expected(chains: list[dict[str, Any]]) -> tuple[Counter[str], Counter[str], int]:
    """Live endorsements per candidate key and per campaign id, from the payloads alone."""
    from node.hub.aggregates import candidate_key

    candidates: Counter[str] = Counter()
    campaigns: Counter[str] = Counter()
    total = 0
    for chain in chains:
        payloads = [fst.peek(compact)[1] for compact in chain["statements"]]
        total += len(payloads)
        retracted = {p["body"]["statement_id"] for p in payloads if p["type"] == "retraction"}
        for p in payloads:
            if p["id"] in retracted:
                continue
            if p["type"] == "candidate-endorsement":
                candidates[candidate_key(p["body"])] += 1
            elif p["type"] == "campaign-endorsement":
                campaigns[p["body"]["campaign"]["id"]] += 1
    return candidates, campaigns, total


def _held(hub: Any) -> tuple[Counter[str], Counter[str], int]:
    from node.hub.models import HubCampaign, HubCandidate
    from node.peering.models import Statement

    db.session.expire_all()
    rows = db.session.execute(
        select(HubCandidate.key, HubCandidate.endorsements).where(HubCandidate.group_id == hub.id)
    )
    candidates = Counter({key: n for key, n in rows if n})
    rows = db.session.execute(
        select(HubCampaign.key, HubCampaign.endorsements).where(HubCampaign.group_id == hub.id)
    )
    campaigns = Counter({key: n for key, n in rows if n})
    stored = db.session.scalar(
        select(func.count()).select_from(Statement).where(Statement.group_id == hub.id)
    )
    return candidates, campaigns, stored


def _tally_total(hub: Any) -> int:
    from node.hub.models import Tally

    return db.session.scalar(
        select(func.coalesce(func.sum(Tally.count), 0)).where(
            Tally.group_id == hub.id, Tally.subject_id == 0
        )
    )


def test_generated_chains_aggregate_to_an_independent_count(app, make_group):  # type: ignore[no-untyped-def]
    from node.hub.audit import rebuild

    hub = make_group("Bench Hub", slug="hub", url="http://hub.bench", role="hub")
    chains = bench_hub.generate(4, 120)
    bench_hub.enrol_directly(hub, chains)
    # batches of 50: each retraction (every 50th) lands in the batch holding its target
    assert bench_hub.ingest_chains(hub.id, chains, batch=50) == 4 * 120
    expected = _expected(chains)
    assert expected[0] and expected[1]
    assert _held(hub) == expected
    assert _tally_total(hub) == sum(expected[0].values()) + sum(expected[1].values())

    done, problems = rebuild(hub)
    db.session.commit()
    assert problems == [] and done == 4 * 120
    assert _held(hub) == expected
    assert _tally_total(hub) == sum(expected[0].values()) + sum(expected[1].values())
