"""``commonground hub audit``: re-verify the hub's whole statement store from scratch.

Nothing stored is trusted: each verbatim compact JWS is verified again with the issuer's keys
(the hub's own public keys, or the keys pinned for the peer, including rotated ones), the parsed
fields kept beside it must equal what the signature covers, and every issuer's chain must link
(seq 1, 2, 3 … each ``prev`` = hash of the one before). A byte changed anywhere — in the compact
or in the parsed columns — is reported. The hub therefore cannot quietly alter a group's
statement: anyone who re-verifies (this command, or a consumer of ``/api/v1/statements``) sees it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from federation import static_lookup, verify
from federation.errors import StatementError
from federation.statements import MAX_REGISTRY_BYTES
from node.extensions import db
from node.groups.models import Group
from node.hub.aggregates import rebuild_aggregates
from node.peering import keystore
from node.peering.models import Peer, Statement


@dataclass(frozen=True)
class Problem:
    row_id: int
    issuer: str
    seq: int
    code: str
    detail: str

    def __str__(self) -> str:
        return f"row {self.row_id} {self.issuer} seq {self.seq}: {self.code}: {self.detail}"


def _lookup(hub: Group) -> Any:
    trusted: dict[str, list[dict[str, Any]]] = {
        hub.url: [dict(row.public_jwk) for row in keystore.all_keys(hub)]
    }
    for peer in db.session.scalars(select(Peer).where(Peer.group_id == hub.id)):
        trusted[peer.issuer] = [dict(k) for k in peer.keys or []]
    return static_lookup(trusted)


FIELDS = ("statement_id", "type", "issuer", "seq", "prev", "hash", "kid")


def verified_rows(hub: Group, problems: list[Problem] | None = None) -> Iterator[Any]:
    """Yield ``(row, VerifiedStatement)`` for every stored statement that still verifies, in
    (issuer, seq) order; append a Problem for each one that does not (and for chain breaks)."""
    lookup = _lookup(hub)
    problems = problems if problems is not None else []
    last: tuple[str, int, str] | None = None
    stmt = (
        select(Statement)
        .where(Statement.group_id == hub.id)
        .order_by(Statement.issuer, Statement.seq)
        .execution_options(yield_per=1000)
    )
    for row in db.session.scalars(stmt):
        try:
            st = verify(row.compact, lookup, max_size=MAX_REGISTRY_BYTES)
        except StatementError as exc:
            problems.append(Problem(row.id, row.issuer, row.seq, exc.code, exc.detail[:200]))
            continue
        parsed = {
            "statement_id": st.id,
            "type": st.type,
            "issuer": st.issuer,
            "seq": st.seq,
            "prev": st.prev,
            "hash": st.hash,
            "kid": st.kid,
        }
        wrong = [f for f in FIELDS if getattr(row, f) != parsed[f]]
        if row.payload != st.payload:
            wrong.append("payload")
        if row.issued_at != st.issued_at.replace(tzinfo=None):
            wrong.append("issued_at")
        if wrong:
            problems.append(
                Problem(
                    row.id,
                    row.issuer,
                    row.seq,
                    "field-mismatch",
                    "stored fields differ from the signed statement: " + ", ".join(wrong),
                )
            )
            continue
        if last is not None and last[0] == st.issuer:
            if st.seq != last[1] + 1 or st.prev != last[2]:
                problems.append(
                    Problem(
                        row.id, row.issuer, row.seq, "chain-break", f"does not follow seq {last[1]}"
                    )
                )
        elif st.seq != 1 and st.prev is None:  # pragma: no cover - schema forbids
            problems.append(Problem(row.id, row.issuer, row.seq, "chain-break", "no prev"))
        last = (st.issuer, st.seq, st.hash)
        yield row, st


def audit(hub: Group) -> tuple[int, list[Problem]]:
    """(statements checked, problems)."""
    problems: list[Problem] = []
    good = sum(1 for _ in verified_rows(hub, problems))
    return good + len(problems), problems


def rebuild(hub: Group) -> tuple[int, list[Problem]]:
    """Rebuild the aggregates from the statements that verify (the store is the truth)."""
    problems: list[Problem] = []
    done = rebuild_aggregates(hub, (st for _row, st in verified_rows(hub, problems)))
    return done, problems
