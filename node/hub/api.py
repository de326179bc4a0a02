"""``/api/v1``: the hub's read-only JSON API (documented in docs/openapi-hub.yaml).

Lists are paginated (``page``, ``per_page`` ≤ 100) and filterable; statements use keyset
pagination (``after`` = last id seen) because the store holds millions of rows and counting
them per request would be a full scan. Raw statements are served verbatim (``compact``) so any
consumer can verify them independently with the issuers' published keys.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, request, url_for
from sqlalchemy import select

from node.auth.access import public
from node.extensions import csrf, db
from node.hub import queries
from node.hub.models import EnrolledGroup, HubCampaign, HubCandidate
from node.hub.queries import arg, hub_or_404, paginate
from node.tenancy import get_or_404

bp = Blueprint("hub_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _next_url(page: queries.Page, endpoint: str, **view_args: Any) -> str | None:
    """The URL of the page after ``page`` (same query arguments), or None on the last."""
    if page.page >= page.pages:
        return None
    args = dict(request.args.to_dict(), page=page.page + 1)
    return url_for(endpoint, _external=True, **view_args, **args)


def _page(page: queries.Page, render: Any, endpoint: str, **view_args: Any) -> Any:
    return jsonify(
        {
            "items": [render(i) for i in page.items],
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "total": page.total,
            "next": _next_url(page, endpoint, **view_args),
        }
    )


@bp.route("/candidates")
@public
def candidates():  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    stmt = queries.candidates(
        hub, q=arg("q"), office=arg("office"), area=arg("area"), election=arg("election", 10)
    )
    return _page(paginate(stmt), queries.candidate_json, "hub_api.candidates")


@bp.route("/candidates/<int:candidate_id>")
@public
def candidate(candidate_id: int):  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    item = get_or_404(HubCandidate, candidate_id)
    stmt = queries.endorsements(hub, "candidate", item.id, region=arg("region", 100))
    return jsonify(
        dict(
            queries.candidate_json(item),
            **_endorsed_by(stmt, "hub_api.candidate", candidate_id=candidate_id),
        )
    )


def _endorsed_by(stmt: Any, endpoint: str, **view_args: Any) -> dict[str, Any]:
    """One page (``page``, ``per_page`` ≤ 100, default 100) of a subject's endorsements,
    counted first, newest first, with the page's position and the next page's URL."""
    page = paginate(stmt, per_page=queries.MAX_PER_PAGE)
    return {
        "endorsed_by": [queries.endorsement_json(e) for e in page.items],
        "endorsements_page": {
            "page": page.page,
            "per_page": page.per_page,
            "pages": page.pages,
            "total": page.total,
            "next": _next_url(page, endpoint, **view_args),
        },
    }


@bp.route("/campaigns")
@public
def campaigns():  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    return _page(
        paginate(queries.campaigns(hub, q=arg("q"))), queries.campaign_json, "hub_api.campaigns"
    )


@bp.route("/campaigns/<int:campaign_id>")
@public
def campaign(campaign_id: int):  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    item = get_or_404(HubCampaign, campaign_id)
    stmt = queries.endorsements(hub, "campaign", item.id, region=arg("region", 100))
    return jsonify(
        dict(
            queries.campaign_json(item),
            by_region_month=queries.monthly(hub, "campaign", item.id),
            **_endorsed_by(stmt, "hub_api.campaign", campaign_id=campaign_id),
        )
    )


@bp.route("/groups")
@public
def groups():  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    stmt = queries.groups(hub, q=arg("q"), region=arg("region", 100), status=arg("status", 10))
    return _page(paginate(stmt), queries.group_json, "hub_api.groups")


@bp.route("/regions")
@public
def regions():  # type: ignore[no-untyped-def]
    hub = hub_or_404()
    return jsonify({"items": queries.regions(hub)})


@bp.route("/statements")
@public
def statements():  # type: ignore[no-untyped-def]
    """Raw statements held by the hub from enrolled groups, oldest first (keyset by ``after``)."""
    hub = hub_or_404()
    from node.peering.models import Statement

    limit = max(1, min(request.args.get("limit", 100, type=int) or 100, queries.MAX_PER_PAGE))
    after = max(request.args.get("after", 0, type=int) or 0, 0)
    stmt = select(Statement).where(Statement.group_id == hub.id, Statement.id > after)
    issuer = arg("issuer", 2048)
    if issuer:
        stmt = stmt.where(Statement.issuer == issuer)
    kind = arg("type", 40)
    if kind:
        stmt = stmt.where(Statement.type == kind)
    rows = db.session.scalars(stmt.order_by(Statement.id).limit(limit)).all()
    nxt = None
    if len(rows) == limit:
        args = dict(request.args.to_dict(), after=rows[-1].id)
        nxt = url_for("hub_api.statements", _external=True, **args)
    return jsonify({"items": [_statement_json(r) for r in rows], "next": nxt})


def _statement_json(row: Any) -> dict[str, Any]:
    return {
        "id": row.id,
        "statement_id": row.statement_id,
        "issuer": row.issuer,
        "seq": row.seq,
        "type": row.type,
        "issued_at": row.issued_at.isoformat() + "Z",
        "retracted_by": row.retracted_by,
        "compact": row.compact,
    }


@bp.route("/groups/<int:enrolled_id>")
@public
def group(enrolled_id: int):  # type: ignore[no-untyped-def]
    hub_or_404()
    row = get_or_404(EnrolledGroup, enrolled_id)
    if row is None:  # pragma: no cover
        abort(404)
    return jsonify(queries.group_json(row))
