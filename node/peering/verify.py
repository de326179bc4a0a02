"""Re-verifying everything a group holds, from seq 1, with nothing but the stored keys."""

from __future__ import annotations

from sqlalchemy import select

from federation import statements as fst
from federation.chain import verify_run
from node.extensions import db
from node.groups.models import Group
from node.peering import keystore
from node.peering.models import Peer, Statement


def verify_held(group: Group) -> list[tuple[str, int, list[str]]]:
    """For each issuer held: (issuer, statements, problems). Own chain uses our JWKS."""
    trusted = {group.url: [row.public_jwk for row in keystore.all_keys(group)]}
    for peer in db.session.scalars(select(Peer).where(Peer.group_id == group.id)):
        trusted[peer.issuer] = list(peer.keys or [])
    lookup = fst.static_lookup(trusted)
    issuers = db.session.scalars(
        select(Statement.issuer).where(Statement.group_id == group.id).distinct()
    ).all()
    results = []
    for issuer in sorted(issuers):
        compacts = db.session.scalars(
            select(Statement.compact)
            .where(Statement.group_id == group.id, Statement.issuer == issuer)
            .order_by(Statement.seq)
        ).all()
        report = verify_run(compacts, lookup, issuer=issuer)
        problems = [f"seq {p.seq}: {p.code} {p.detail}" for p in report.problems]
        if report.last_seq != len(compacts) and not problems:
            problems.append(
                f"held {len(compacts)} statements but the chain ends at {report.last_seq}"
            )
        results.append((issuer, len(compacts), problems))
    return results
