"""Read-side queries shared by the dashboard and ``/api/v1``: they only touch the aggregate
tables and indexed columns (no scans of the statement store per page view). Tally queries name
``kind`` so they use the (hub, kind, subject, region, month) index rather than scanning every
tally row of the hub (PostgreSQL has no skip scan)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, request
from sqlalchemy import Select, func, select

from node.extensions import db
from node.groups.models import Group
from node.hub.models import (
    KINDS,
    Endorsement,
    EnrolledGroup,
    HubCampaign,
    HubCandidate,
    Tally,
)
from node.tenancy import current_group
from node.web import PAGE_SIZE

MAX_PER_PAGE = 100


def hub_or_404() -> Group:
    """The request's group if it is a hub; every hub page is a 404 on an ordinary group."""
    group = current_group()
    if not group.is_hub:
        abort(404)
    return group


def arg(name: str, limit: int = 200) -> str:
    return (request.args.get(name) or "").strip()[:limit]


def per_page(default: int = PAGE_SIZE) -> int:
    """The page size asked for in ``?per_page=`` (at most MAX_PER_PAGE), else ``default``."""
    return max(1, min(request.args.get("per_page", default, type=int) or default, MAX_PER_PAGE))


def candidates(
    hub: Group, q: str = "", office: str = "", area: str = "", election: str = ""
) -> Select[Any]:
    stmt = select(HubCandidate).where(HubCandidate.group_id == hub.id)
    if q:
        stmt = stmt.where(HubCandidate.name.ilike(f"%{q}%"))
    if office:
        stmt = stmt.where(HubCandidate.office.ilike(f"%{office}%"))
    if area:
        stmt = stmt.where(HubCandidate.area.ilike(f"%{area}%"))
    if election:
        try:
            stmt = stmt.where(HubCandidate.election_date == date.fromisoformat(election))
        except ValueError:
            abort(400, "election must be a date like 2026-05-07")
    return stmt.order_by(HubCandidate.endorsements.desc(), HubCandidate.name, HubCandidate.id)


def campaigns(hub: Group, q: str = "") -> Select[Any]:
    stmt = select(HubCampaign).where(HubCampaign.group_id == hub.id)
    if q:
        stmt = stmt.where(HubCampaign.title.ilike(f"%{q}%"))
    return stmt.order_by(HubCampaign.endorsements.desc(), HubCampaign.title, HubCampaign.id)


def endorsements(
    hub: Group,
    kind: str | None = None,
    subject_id: int | None = None,
    region: str = "",
    enrolled_id: int | None = None,
    include_uncounted: bool = True,
) -> Select[Any]:
    stmt = select(Endorsement).where(Endorsement.group_id == hub.id)
    if kind:
        stmt = stmt.where(Endorsement.kind == kind)
    if subject_id is not None:
        stmt = stmt.where(Endorsement.subject_id == subject_id)
    if region:
        stmt = stmt.where(Endorsement.region == region)
    if enrolled_id is not None:
        stmt = stmt.where(Endorsement.enrolled_id == enrolled_id)
    if not include_uncounted:
        stmt = stmt.where(Endorsement.counted.is_(True))
    return stmt.order_by(
        Endorsement.counted.desc(), Endorsement.issued_at.desc(), Endorsement.id.desc()
    )


def groups(hub: Group, q: str = "", region: str = "", status: str = "") -> Select[Any]:
    stmt = select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id)
    if q:
        stmt = stmt.where(EnrolledGroup.name.ilike(f"%{q}%"))
    if region:
        stmt = stmt.where(EnrolledGroup.region == region)
    if status:
        stmt = stmt.where(EnrolledGroup.status == status)
    return stmt.order_by(EnrolledGroup.region, EnrolledGroup.name, EnrolledGroup.id)


def regions(hub: Group) -> list[dict[str, Any]]:
    """Per region: enrolled groups (by status) and counted endorsements by kind."""
    out: dict[str, dict[str, Any]] = {}
    for region, status, n in db.session.execute(
        select(EnrolledGroup.region, EnrolledGroup.status, func.count())
        .where(EnrolledGroup.group_id == hub.id)
        .group_by(EnrolledGroup.region, EnrolledGroup.status)
    ):
        entry = out.setdefault(
            region, {"region": region, "groups": 0, "active": 0, "candidate": 0, "campaign": 0}
        )
        entry["groups"] += n
        if status == "active":
            entry["active"] += n
    for region, kind, n in db.session.execute(
        select(Tally.region, Tally.kind, func.sum(Tally.count))
        .where(Tally.group_id == hub.id, Tally.kind.in_(KINDS), Tally.subject_id == 0)
        .group_by(Tally.region, Tally.kind)
    ):
        entry = out.setdefault(
            region, {"region": region, "groups": 0, "active": 0, "candidate": 0, "campaign": 0}
        )
        entry[kind] = int(n or 0)
    return sorted(out.values(), key=lambda e: e["region"])


def monthly(hub: Group, kind: str, subject_id: int = 0) -> dict[str, dict[str, int]]:
    """{region: {month: count}} of counted endorsements (subject 0 = all of ``kind``)."""
    series: dict[str, dict[str, int]] = {}
    for region, month, n in db.session.execute(
        select(Tally.region, Tally.month, Tally.count).where(
            Tally.group_id == hub.id,
            Tally.kind == kind,
            Tally.subject_id == subject_id,
            Tally.count > 0,
        )
    ):
        series.setdefault(region, {})[month] = int(n)
    return series


def totals(hub: Group) -> dict[str, int]:
    def count(stmt: Select[Any]) -> int:
        return int(db.session.scalar(stmt) or 0)

    return {
        "groups": count(
            select(func.count())
            .select_from(EnrolledGroup)
            .where(EnrolledGroup.group_id == hub.id, EnrolledGroup.status == "active")
        ),
        "candidates": count(
            select(func.count())
            .select_from(HubCandidate)
            .where(HubCandidate.group_id == hub.id, HubCandidate.endorsements > 0)
        ),
        "campaigns": count(
            select(func.count())
            .select_from(HubCampaign)
            .where(HubCampaign.group_id == hub.id, HubCampaign.endorsements > 0)
        ),
        "endorsements": count(
            select(func.sum(Tally.count)).where(
                Tally.group_id == hub.id, Tally.kind.in_(KINDS), Tally.subject_id == 0
            )
        ),
        "statements": count(
            select(func.sum(EnrolledGroup.statements)).where(EnrolledGroup.group_id == hub.id)
        ),
    }


def candidate_json(c: HubCandidate) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "office": c.office,
        "area": c.area,
        "election_date": c.election_date.isoformat(),
        "endorsements": c.endorsements,
        "last_endorsed_at": _iso(c.last_endorsed_at),
    }


def campaign_json(c: HubCampaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "url": c.key,
        "title": c.title,
        "summary": c.summary,
        "origin": c.origin,
        "endorsements": c.endorsements,
        "last_endorsed_at": _iso(c.last_endorsed_at),
    }


def endorsement_json(e: Endorsement) -> dict[str, Any]:
    return {
        "statement_id": e.statement_id,
        "group": e.enrolled.url,
        "group_name": e.enrolled.name,
        "region": e.region,
        "seq": e.seq,
        "method": e.method,
        "electorate": e.electorate,
        "turnout": e.turnout,
        "result": e.result,
        "decided_on": e.decided_on.isoformat(),
        "issued_at": _iso(e.issued_at),
        "counted": e.counted,
        "retracted": e.retracted_at is not None,
        "retraction_reason": e.retraction_reason,
        "group_status": e.enrolled.status,
    }


def group_json(g: EnrolledGroup) -> dict[str, Any]:
    return {
        "id": g.id,
        "url": g.url,
        "name": g.name,
        "region": g.region,
        "area": g.area,
        "status": g.status,
        "thumbprints": g.thumbprints,
        "enrolled_at": _iso(g.enrolled_at),
        "statements": g.statements,
        "last_seq": g.last_seq,
        "last_statement_at": _iso(g.last_statement_at),
        "last_sweep_ok_at": _iso(g.last_sweep_ok_at),
        "sweep_failures": g.sweep_failures,
        "last_error": g.last_error,
        "forked": g.forked_at is not None,
    }


def _iso(value: Any) -> str | None:
    return value.isoformat() + "Z" if value is not None else None
