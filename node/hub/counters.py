"""The hub's endorsement counters: per-subject totals and per-(kind, subject, region, month)
tallies, changed by deltas gathered over a batch and written once per counter."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, case, or_, update

from node.bulk import insert_rows
from node.extensions import db
from node.hub.models import Endorsement, HubCampaign, HubCandidate, Tally

MODELS: dict[str, Any] = {"candidate": HubCandidate, "campaign": HubCampaign}
TALLIES: Table = db.metadata.tables[Tally.__tablename__]


class Counters:
    """Deltas collected over a batch, applied once per counter (sorted: no deadlocks)."""

    def __init__(self, hub_id: int) -> None:
        self.hub_id = hub_id
        self.subjects: dict[tuple[str, int], int] = defaultdict(int)
        self.latest: dict[tuple[str, int], datetime] = {}
        self.tallies: dict[tuple[str, int, str, str], int] = defaultdict(int)

    def add(self, row: Endorsement, n: int) -> None:
        self.add_fields(row.kind, row.subject_id, row.region, row.issued_at, n)

    def add_fields(self, kind: str, subject_id: int, region: str, at: datetime, n: int) -> None:
        self.subjects[(kind, subject_id)] += n
        month = at.strftime("%Y-%m")
        for subject in (subject_id, 0):
            self.tallies[(kind, subject, region, month)] += n
        if n > 0:
            key = (kind, subject_id)
            if key not in self.latest or self.latest[key] < at:
                self.latest[key] = at

    def apply(self) -> None:
        for kind, model in MODELS.items():
            table = model.__table__
            params = [
                {"b_id": subject, "b_n": n, "b_at": self.latest.get((k, subject))}
                for (k, subject), n in sorted(self.subjects.items())
                if k == kind and (n or (k, subject) in self.latest)
            ]
            if not params:
                continue
            at = bindparam("b_at", type_=table.c.last_endorsed_at.type)
            stmt = (
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(
                    endorsements=table.c.endorsements + bindparam("b_n"),
                    last_endorsed_at=case(
                        (
                            and_(
                                at.is_not(None),
                                or_(
                                    table.c.last_endorsed_at.is_(None),
                                    table.c.last_endorsed_at < at,
                                ),
                            ),
                            at,
                        ),
                        else_=table.c.last_endorsed_at,
                    ),
                )
            )
            db.session.connection().execute(stmt, params)
        rows = [
            {
                "group_id": self.hub_id,
                "kind": kind,
                "subject_id": subject,
                "region": region,
                "month": month,
                "count": n,
            }
            for (kind, subject, region, month), n in sorted(self.tallies.items())
            if n
        ]
        if rows:
            table = TALLIES

            def add_counts(stmt: Any) -> Any:
                return stmt.on_conflict_do_update(
                    index_elements=["group_id", "kind", "subject_id", "region", "month"],
                    set_={"count": table.c.count + stmt.excluded.count},
                )

            insert_rows(table, rows, add_counts)  # sorted rows: workers lock in one order
        self.subjects.clear()
        self.latest.clear()
        self.tallies.clear()
