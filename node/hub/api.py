"""``/api/v1``: the hub's read-only JSON API (documented in docs/openapi-hub.yaml).

Lists are paginated (``page``, ``per_page`` ≤ 100) and filterable; statements use keyset
pagination (``after`` = last id seen) because the store holds millions of rows and counting
them per request would be a full scan. Raw statements are served verbatim (``compact``) so any
consumer can verify them independently with the issuers' published keys.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import Select, select

from node.extensions import csrf, db
from node.groups.models import Group
from node.hub import queries
from node.hub.models import EnrolledGroup, HubCampaign, HubCandidate
from node.hub.queries import arg, hub_or_404, per_page
from node.members.access import public
from node.peering.models import Statement
from node.replica import reads_replica
from node.tenancy import get_or_404
from node.web import PAGE_SIZE, paginate

bp = Blueprint("hub_api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


def _listing(
    stmt: Select[Any],
    render: Callable[[Any], dict[str, Any]],
    endpoint: str,
    default: int = PAGE_SIZE,
    **view_args: Any,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page (``page``, ``per_page`` ≤ 100) of ``stmt``'s rows rendered, and where it is:
    page, per_page, pages, total and the URL of the next page (same query arguments) or None."""
    size = per_page(default)
    page = paginate(stmt, size)
    following = None
    if page.page < page.pages:
        args: dict[str, Any] = {**request.args.to_dict(), "page": page.page + 1}
        following = url_for(endpoint, _external=True, **view_args, **args)
    position = {
        "page": page.page,
        "per_page": size,
        "pages": page.pages,
        "total": page.total,
        "next": following,
    }
    return [render(item) for item in page.items], position


def _page(stmt: Select[Any], render: Callable[[Any], dict[str, Any]], endpoint: str) -> Response:
    items, position = _listing(stmt, render, endpoint)
    return jsonify({"items": items, **position})


def _endorsed_by(hub: Group, kind: str, subject_id: int) -> dict[str, Any]:
    """One page (default 100) of a subject's endorsements, counted first, newest first; the
    subject's endpoint is ``hub_api.<kind>`` with the view argument ``<kind>_id``."""
    stmt = queries.endorsements(hub, kind, subject_id, region=arg("region", 100))
    view_args = {f"{kind}_id": subject_id}
    endpoint = f"hub_api.{kind}"
    items, position = _listing(
        stmt, queries.endorsement_json, endpoint, queries.MAX_PER_PAGE, **view_args
    )
    return {"endorsed_by": items, "endorsements_page": position}


@bp.route("/candidates")
@public
@reads_replica
def candidates() -> ResponseReturnValue:
    hub = hub_or_404()
    stmt = queries.candidates(
        hub, q=arg("q"), office=arg("office"), area=arg("area"), election=arg("election", 10)
    )
    return _page(stmt, queries.candidate_json, "hub_api.candidates")


@bp.route("/candidates/<int:candidate_id>")
@public
@reads_replica
def candidate(candidate_id: int) -> ResponseReturnValue:
    hub = hub_or_404()
    item = get_or_404(HubCandidate, candidate_id)
    return jsonify({**queries.candidate_json(item), **_endorsed_by(hub, "candidate", item.id)})


@bp.route("/campaigns")
@public
@reads_replica
def campaigns() -> ResponseReturnValue:
    hub = hub_or_404()
    return _page(queries.campaigns(hub, q=arg("q")), queries.campaign_json, "hub_api.campaigns")


@bp.route("/campaigns/<int:campaign_id>")
@public
@reads_replica
def campaign(campaign_id: int) -> ResponseReturnValue:
    hub = hub_or_404()
    item = get_or_404(HubCampaign, campaign_id)
    return jsonify(
        {
            **queries.campaign_json(item),
            "by_region_month": queries.monthly(hub, "campaign", item.id),
            **_endorsed_by(hub, "campaign", item.id),
        }
    )


@bp.route("/groups")
@public
@reads_replica
def groups() -> ResponseReturnValue:
    hub = hub_or_404()
    stmt = queries.groups(hub, q=arg("q"), region=arg("region", 100), status=arg("status", 10))
    return _page(stmt, queries.group_json, "hub_api.groups")


@bp.route("/regions")
@public
@reads_replica
def regions() -> ResponseReturnValue:
    hub = hub_or_404()
    return jsonify({"items": queries.regions(hub)})


@bp.route("/statements")
@public
@reads_replica
def statements() -> ResponseReturnValue:
    """Raw statements held by the hub from enrolled groups, oldest first (keyset by ``after``)."""
    hub = hub_or_404()
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
        args: dict[str, Any] = {**request.args.to_dict(), "after": rows[-1].id}
        nxt = url_for("hub_api.statements", _external=True, **args)
    return jsonify({"items": [_statement_json(r) for r in rows], "next": nxt})


def _statement_json(row: Statement) -> dict[str, Any]:
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
@reads_replica
def group(enrolled_id: int) -> ResponseReturnValue:
    hub_or_404()
    return jsonify(queries.group_json(get_or_404(EnrolledGroup, enrolled_id)))
