"""The national dashboard: candidates, campaigns, regions, groups; officer pages for enrolment.

Read pages are public (they show what groups published and signed; nothing private) and read
only the aggregates. Every page is a 404 on a group that is not a hub.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, select
from werkzeug.wrappers import Response

from node.errors import Invalid
from node.extensions import csrf, db
from node.groups.models import Group
from node.hub import charts, operations, queries, registry, trust
from node.hub.enrolment import EnrolmentError
from node.hub.models import (
    STATUS_LABELS,
    STATUSES,
    EnrolledGroup,
    EnrolmentToken,
    HubCampaign,
    HubCandidate,
)
from node.hub.queries import arg, hub_or_404, per_page
from node.members.access import officer_required, public
from node.peering import keystore, net
from node.peering.models import ForkEvidence
from node.replica import reads_replica
from node.rooms import rooms_of
from node.tenancy import get_or_404
from node.web import csv_download, done, filters, paginate

bp = Blueprint("hub", __name__, url_prefix="/hub")


@bp.app_template_global("hub_status")
def status_label(status: str) -> str:
    """An enrolled group's status in the reader's language (the stored code if unknown)."""
    return _(STATUS_LABELS[status]) if status in STATUS_LABELS else status


def _csv(
    name: str,
    columns: str,
    stmt: Select[Any],
    limit: int | None = 10000,
    **computed: Callable[[Any], Any],
) -> Response:
    """The rows of ``stmt`` (the first ``limit``) as a public CSV download: one column per name
    in ``columns``, each the row's attribute of that name unless ``computed`` gives a function."""
    names = columns.split()
    rows = (
        [computed[n](row) if n in computed else getattr(row, n) for n in names]
        for row in db.session.scalars(stmt.limit(limit))
    )
    return csv_download([names, *rows], f"{name}.csv", private=False)


def _is_officer() -> bool:
    return g.get("member") is not None and bool(g.member.has_role("officer"))


@bp.route("/")
@public
@reads_replica
def overview() -> str:
    hub = hub_or_404()
    series = queries.monthly(hub, "candidate")
    campaign_series = queries.monthly(hub, "campaign")
    top_candidates = db.session.scalars(queries.candidates(hub).limit(10)).all()
    top_campaigns = db.session.scalars(queries.campaigns(hub).limit(10)).all()
    member = g.get("member")
    panels = [panel(hub, member) for panel in rooms_of().panels_for(hub)] if member else []
    chart, few = charts.chart_or_words(series, _("Candidate endorsements per month, by region"))
    campaign_chart, campaign_few = charts.chart_or_words(
        campaign_series, _("Campaign co-endorsements per month, by region")
    )
    return render_template(
        "hub/overview.html",
        hub=hub,
        totals=queries.totals(hub),
        panels=[p for p in panels if p],
        chart=chart,
        few=few,
        campaign_chart=campaign_chart,
        campaign_few=campaign_few,
        candidates=top_candidates,
        campaigns=top_campaigns,
        regions=queries.regions(hub),
    )


@bp.route("/candidates")
@public
@reads_replica
def candidates() -> ResponseReturnValue:
    hub = hub_or_404()
    chosen = filters("q", "office", "area", "election", limit=200)
    stmt = queries.candidates(hub, **chosen)
    if request.args.get("format") == "csv":
        return _csv("candidates", "name office area election_date endorsements", stmt)
    return render_template("hub/candidates.html", page=paginate(stmt, per_page()), filters=chosen)


def _endorsement_rows(kind: str, subject_id: int) -> tuple[Group, str, Select[Any]]:
    hub = hub_or_404()
    region = arg("region", 100)
    stmt = queries.endorsements(hub, kind, subject_id, region=region)
    return hub, region, stmt


@bp.route("/candidates/<int:candidate_id>")
@public
@reads_replica
def candidate(candidate_id: int) -> ResponseReturnValue:
    hub, region, stmt = _endorsement_rows("candidate", candidate_id)
    item = get_or_404(HubCandidate, candidate_id)
    if request.args.get("format") == "csv":
        return _endorsements_csv(f"candidate-{item.id}", stmt)
    page = paginate(stmt, per_page())
    return render_template("hub/candidate.html", item=item, page=page, region=region)


def _endorsements_csv(name: str, stmt: Select[Any]) -> Response:
    return _csv(
        name,
        "group region method electorate turnout result decided_on issued_at counted retracted "
        "statement_id",
        stmt,
        group=lambda e: e.enrolled.name,
        retracted=lambda e: e.retracted_at is not None,
    )


@bp.route("/campaigns")
@public
@reads_replica
def campaigns() -> ResponseReturnValue:
    hub = hub_or_404()
    chosen = filters("q", limit=200)
    stmt = queries.campaigns(hub, **chosen)
    if request.args.get("format") == "csv":
        return _csv("campaigns", "title url origin endorsements", stmt, url=lambda c: c.key)
    page = paginate(stmt, per_page())
    origins = queries.enrolled_by_url(hub, [c.origin for c in page.items])
    return render_template("hub/campaigns.html", page=page, filters=chosen, origins=origins)


@bp.route("/campaigns/<int:campaign_id>")
@public
@reads_replica
def campaign(campaign_id: int) -> ResponseReturnValue:
    hub, region, stmt = _endorsement_rows("campaign", campaign_id)
    item = get_or_404(HubCampaign, campaign_id)
    if request.args.get("format") == "csv":
        return _endorsements_csv(f"campaign-{item.id}", stmt)
    series = queries.monthly(hub, "campaign", item.id)
    chart, few = charts.chart_or_words(series, f"Co-endorsements of {item.title} by region")
    return render_template(
        "hub/campaign.html",
        item=item,
        origins=queries.enrolled_by_url(hub, [item.origin]),
        page=paginate(stmt, per_page()),
        region=region,
        chart=chart,
        few=few,
        table=charts.month_table(series),
    )


@bp.route("/regions")
@public
@reads_replica
def regions() -> ResponseReturnValue:
    hub = hub_or_404()
    region = arg("region", 100)
    rows = queries.regions(hub)
    if request.args.get("format") == "csv":
        header = ["region", "groups", "active", "candidate_endorsements", "campaign_endorsements"]
        cells = (
            (r["region"], r["groups"], r["active"], r["candidate"], r["campaign"]) for r in rows
        )
        return csv_download([header, *cells], "regions.csv", private=False)
    decisions = paginate(queries.endorsements(hub, region=region), per_page()) if region else None
    members = db.session.scalars(queries.groups(hub, region=region)).all() if region else []
    return render_template(
        "hub/regions.html", rows=rows, region=region, decisions=decisions, members=members
    )


@bp.route("/groups")
@public
@reads_replica
def groups() -> ResponseReturnValue:
    hub = hub_or_404()
    chosen = {"q": arg("q"), "region": arg("region", 100), "status": arg("status", 10)}
    stmt = queries.groups(hub, **chosen)
    if request.args.get("format") == "csv":
        return _csv(
            "groups",
            "name url region area status statements last_seq last_statement_at sweep_failures "
            "forked",
            stmt,
            limit=None,
            forked=lambda r: r.forked_at is not None,
        )
    return render_template(
        "hub/groups.html",
        page=paginate(stmt, per_page()),
        filters=chosen,
        statuses=STATUSES,
        is_officer=_is_officer(),
    )


@bp.route("/groups/<int:enrolled_id>")
@public
@reads_replica
def group(enrolled_id: int) -> str:
    hub = hub_or_404()
    row = get_or_404(EnrolledGroup, enrolled_id)
    forks = db.session.scalars(
        select(ForkEvidence).where(ForkEvidence.group_id == hub.id, ForkEvidence.issuer == row.url)
    ).all()
    decisions = paginate(queries.endorsements(hub, enrolled_id=row.id), per_page())
    return render_template(
        "hub/group.html", row=row, decisions=decisions, forks=forks, is_officer=_is_officer()
    )


@bp.route("/groups/<int:enrolled_id>/<action>", methods=["GET", "POST"])
@officer_required
def change_status(enrolled_id: int, action: str) -> ResponseReturnValue:
    """GET: what suspending, removing or reinstating changes, and a button; POST: do it."""
    hub = hub_or_404()
    if action not in ("suspend", "reinstate", "remove"):
        abort(404)
    row = get_or_404(EnrolledGroup, enrolled_id)
    if request.method == "GET":
        return render_template(
            "hub/change_status.html", row=row, action=action, verb=action.title()
        )
    getattr(operations, action)(hub, row, g.member)
    return done(
        _(
            "%(name)s is now %(status)s. Nobody was e-mailed.",
            name=row.name,
            status=status_label(row.status),
        ),
        "hub.group",
        enrolled_id=enrolled_id,
    )


@bp.route("/tokens", methods=["GET", "POST"])
@officer_required
def tokens() -> ResponseReturnValue:
    hub = hub_or_404()
    issued = None
    error = None
    if request.method == "POST":
        try:
            issued, _token = operations.issue_token(
                hub,
                request.form.get("name", ""),
                request.form.get("region", ""),
                request.form.get("area"),
                g.member,
            )
        except Invalid as exc:
            db.session.rollback()
            error = exc.message
        else:
            db.session.commit()
    page = paginate(
        select(EnrolmentToken)
        .where(EnrolmentToken.group_id == hub.id)
        .order_by(EnrolmentToken.created_at.desc(), EnrolmentToken.id.desc()),
        per_page(),
    )
    return render_template(
        "hub/tokens.html", issued=issued, error=error, page=page, form=request.form
    ), (400 if error else 200)


@bp.route("/enrol", methods=["POST"])
@public
@csrf.exempt
def enrol() -> ResponseReturnValue:
    """A group's node enrols (signed request, see node.hub.enrolment)."""
    hub = hub_or_404()
    try:
        enrolled = operations.enrol(
            hub, request.get_data(cache=False)[: 16 * 1024 + 1], net.client()
        )
    except EnrolmentError as exc:
        db.session.rollback()
        return jsonify({"error": exc.code, "detail": exc.message}), exc.http_status
    db.session.commit()
    trust.subscribe(hub, enrolled)  # ask the group's node to push to us (the sweep pulls anyway)
    db.session.commit()
    key = keystore.current_key(hub)
    return jsonify(
        {
            "enrolled": enrolled.url,
            "name": enrolled.name,
            "region": enrolled.region,
            "hub": hub.url,
            "hub_name": hub.name,
            "hub_kid": key.kid,
            "registry": url_for("hub.registry_view", _external=True),
        }
    ), 201


@bp.route("/registry")
@public
def registry_view() -> ResponseReturnValue:
    """The latest signed registry: compact JWS for ``Accept: application/jose``, else a
    one-item outbox page ``{"items": [compact], "next": null}``."""
    hub = hub_or_404()
    row = registry.latest(hub)
    items = [row.compact] if row is not None else []
    if request.accept_mimetypes.best == "application/jose":
        if row is None:
            return jsonify({"error": "not-found", "detail": "no registry issued yet"}), 404
        return Response(
            row.compact, mimetype="application/jose", headers={"Cache-Control": "max-age=60"}
        )
    response = jsonify({"items": items, "next": None})
    response.headers["Cache-Control"] = "max-age=60"
    return response
