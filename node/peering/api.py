"""The federation HTTP API (docs/protocol.md, docs/openapi.yaml): discovery, JWKS, outbox, inbox.

All public and CSRF-exempt (peers are programs, not browsers; their requests are signed).
Every refusal is JSON ``{"error": code, "detail": ...}`` with the status of
``federation.errors.HTTP_STATUS``. Views are thin: receiving is ``ingest.receive``, following
is ``following.handle_follow``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from sqlalchemy import select

from federation import inbox as finbox
from federation import statements as fst
from federation.errors import StatementError
from federation.follow import FOLLOW_TYP
from node import __version__, signals
from node.extensions import db, limiter
from node.groups.models import Group
from node.groups.operations import list_groups
from node.members.access import public
from node.peering import keystore, net
from node.peering.following import handle_follow
from node.peering.ingest import receive
from node.peering.models import Statement
from node.tenancy import current_group

bp = Blueprint("federation_api", __name__)
OUTBOX_DEFAULT, OUTBOX_MAX = 100, 500
MAX_INT = 2**53 - 1  # the largest seq (protocol §3.2)


def links(group: Group) -> dict[str, str]:
    """The federation URLs of a group (its id is ``group.url``)."""
    base = group.url.rstrip("/")
    return {
        "id": base,
        "name": group.name,
        "jwks_uri": f"{base}/federation/jwks.json",
        "outbox": f"{base}/federation/outbox",
        "inbox": f"{base}/federation/inbox",
        "follow": f"{base}/federation/follow",
    }


def _error(exc: StatementError) -> tuple[Response, int]:
    return jsonify(exc.to_json()), exc.http_status


def _bad(detail: str) -> tuple[Response, int]:
    return jsonify({"error": "malformed", "detail": detail}), 400


@bp.route("/.well-known/commonground")
@public
def discovery() -> Any:
    # A node only speaks for groups at the origin it was asked on (protocol §6; the client
    # refuses anything else), so with Host tenancy each domain lists its own groups.
    here = net.origin(request.host_url)
    groups = [g for g in list_groups() if net.origin(g.url) == here]
    role = "hub" if groups and all(g.is_hub for g in groups) else "node"
    response = jsonify(
        {
            "software": "commonground",
            "version": __version__,
            "protocol": 1,
            "role": role,
            "groups": [links(g) for g in groups],
        }
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/federation/jwks.json")
@public
def jwks() -> Any:
    group = current_group()
    document = keystore.jwks(group)
    db.session.commit()  # a group older than this room gets its key on first use
    response = jsonify(document)
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


def _int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 16:
        raise ValueError(f"{name} must be a non-negative integer")
    value = int(raw)
    if value > MAX_INT:
        raise ValueError(f"{name} must be at most {MAX_INT}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}")
    return min(value, high) if high is not None else value


@bp.route("/federation/outbox")
@public
def outbox() -> Any:
    group = current_group()
    try:
        after = _int_arg("after", 0, 0)
        limit = _int_arg("limit", OUTBOX_DEFAULT, 1, OUTBOX_MAX)
    except ValueError as exc:
        return _bad(str(exc))
    rows = db.session.execute(
        select(Statement.seq, Statement.compact)
        .where(Statement.group_id == group.id, Statement.issuer == group.url, Statement.seq > after)
        .order_by(Statement.seq)
        .limit(limit + 1)
    ).all()
    more = len(rows) > limit
    rows = rows[:limit]
    nxt = f"{links(group)['outbox']}?after={rows[-1][0]}&limit={limit}" if more else None
    response = jsonify({"items": [compact for _, compact in rows], "next": nxt})
    # Statements never change: a full page is stable; the last page grows.
    response.headers["Cache-Control"] = f"public, max-age={3600 if more else 60}"
    return response


def _body() -> bytes:
    declared = request.content_length
    if declared is not None and declared > finbox.MAX_BODY_BYTES:
        raise StatementError("too-large", f"request body exceeds {finbox.MAX_BODY_BYTES} bytes")
    data = request.stream.read(finbox.MAX_BODY_BYTES + 1)
    if len(data) > finbox.MAX_BODY_BYTES:
        raise StatementError("too-large", f"request body exceeds {finbox.MAX_BODY_BYTES} bytes")
    return data


def _is_follow(compact: str) -> bool:
    """Follow requests share the inbox (protocol §8); they differ from statements by ``typ``."""
    try:
        fst.peek(compact)
    except StatementError:
        from federation.follow import peek_follow

        try:
            header, _ = peek_follow(compact)
        except StatementError:
            return False
        return str(header.get("typ", "")).lower().endswith(FOLLOW_TYP)
    return False


def _follow(group: Group, compact: str) -> Any:
    try:
        outcome = handle_follow(group, compact)
    except StatementError as exc:
        db.session.rollback()
        return _error(exc)
    db.session.commit()
    return jsonify(outcome), 202


@bp.route("/federation/inbox", methods=["POST"])
@public
@limiter.limit("600/minute")
def inbox() -> Any:
    group = current_group()
    try:
        compacts = finbox.parse_inbox_body(_body(), request.content_type)
    except StatementError as exc:
        return _error(exc)
    if len(compacts) == 1 and _is_follow(compacts[0]):
        return _follow(group, compacts[0])
    report = receive(group, compacts)
    body = report.to_json()
    # A hub says where each statement of the request is in its transparency log (§14.8).
    for answer in signals.send(signals.log_positions, holder=group, compacts=compacts):
        if answer is not None:
            body["log"] = answer
    if report.error is not None:
        return jsonify(body), report.error.http_status
    return jsonify(body), 202


@bp.route("/federation/follow", methods=["POST"])
@public
@limiter.limit("60/minute")
def follow() -> Any:
    group = current_group()
    try:
        data = _body()
        if finbox.media_type(request.content_type) != finbox.JOSE:
            raise StatementError("unsupported-media-type", f"Content-Type must be {finbox.JOSE}")
        compact = finbox.parse_inbox_body(data, finbox.JOSE)[0]
    except StatementError as exc:
        return _error(exc)
    return _follow(group, compact)
