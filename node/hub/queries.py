"""Read-side queries shared by the dashboard and ``/api/v1``: they only touch the aggregate
tables and indexed columns (no scans of the statement store per page view). Tally queries name
``kind`` so they use the (hub, kind, subject, region, month) index rather than scanning every
tally row of the hub (PostgreSQL has no skip scan)."""

from __future__ import annotations

from datetime import date, datetime
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

    def entry(region: str) -> dict[str, Any]:
        empty = {"region": region, "groups": 0, "active": 0, "candidate": 0, "campaign": 0}
        return out.setdefault(region, empty)

    for region, status, n in db.session.execute(
        select(EnrolledGroup.region, EnrolledGroup.status, func.count())
        .where(EnrolledGroup.group_id == hub.id)
        .group_by(EnrolledGroup.region, EnrolledGroup.status)
    ):
        entry(region)["groups"] += n
        if status == "active":
            entry(region)["active"] += n
    for region, kind, n in db.session.execute(
        select(Tally.region, Tally.kind, func.sum(Tally.count))
        .where(Tally.group_id == hub.id, Tally.kind.in_(KINDS), Tally.subject_id == 0)
        .group_by(Tally.region, Tally.kind)
    ):
        entry(region)[kind] = int(n or 0)
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
    def count(model: Any, *where: Any) -> int:
        """How many of the hub's ``model`` rows match ``where``."""
        stmt = select(func.count()).select_from(model).where(model.group_id == hub.id, *where)
        return int(db.session.scalar(stmt) or 0)

    def total(column: Any, *where: Any) -> int:
        return int(db.session.scalar(select(func.sum(column)).where(*where)) or 0)

    return {
        "groups": count(EnrolledGroup, EnrolledGroup.status == "active"),
        "candidates": count(HubCandidate, HubCandidate.endorsements > 0),
        "campaigns": count(HubCampaign, HubCampaign.endorsements > 0),
        "endorsements": total(
            Tally.count, Tally.group_id == hub.id, Tally.kind.in_(KINDS), Tally.subject_id == 0
        ),
        "statements": total(EnrolledGroup.statements, EnrolledGroup.group_id == hub.id),
    }


def _json(row: Any, names: str, **computed: Any) -> dict[str, Any]:
    """``row``'s attributes named in ``names`` as JSON values (dates in ISO 8601, times in UTC
    with a ``Z``), and the ``computed`` ones."""

    def value(v: Any) -> Any:
        if isinstance(v, datetime):
            return v.isoformat() + "Z"
        return v.isoformat() if isinstance(v, date) else v

    return {**{name: value(getattr(row, name)) for name in names.split()}, **computed}


def candidate_json(c: HubCandidate) -> dict[str, Any]:
    return _json(c, "id name office area election_date endorsements last_endorsed_at")


def campaign_json(c: HubCampaign) -> dict[str, Any]:
    return _json(c, "id title summary origin endorsements last_endorsed_at", url=c.key)


def endorsement_json(e: Endorsement) -> dict[str, Any]:
    return _json(
        e,
        "statement_id region seq method electorate turnout result decided_on issued_at counted "
        "retraction_reason",
        group=e.enrolled.url,
        group_name=e.enrolled.name,
        retracted=e.retracted_at is not None,
        group_status=e.enrolled.status,
    )


def group_json(g: EnrolledGroup) -> dict[str, Any]:
    return _json(
        g,
        "id url name region area status thumbprints enrolled_at statements last_seq "
        "last_statement_at last_sweep_ok_at sweep_failures last_error",
        forked=g.forked_at is not None,
    )


def enrolled_by_url(hub: Group, urls: list[str]) -> dict[str, EnrolledGroup]:
    """The enrolled groups whose id URL is one of ``urls``, by URL: pages show a group's name
    ("Started by Walton Momentum"), never its address."""
    wanted = sorted({u for u in urls if u})
    if not wanted:
        return {}
    rows = db.session.scalars(
        select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id, EnrolledGroup.url.in_(wanted))
    )
    return {row.url: row for row in rows}
