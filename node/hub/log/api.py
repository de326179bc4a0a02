"""``/hub/log/…``: the transparency log's HTTP API (docs/protocol.md §14.8, docs/openapi-hub.yaml).

Public and CSRF-exempt (witnesses and verifiers are programs; what they send is signed). A group
that is not a hub answers 404. Refusals are JSON ``{"error": code, "detail": …}``: a parameter
that is missing, not a number or out of range is 400 ``invalid``. Views are thin: the log is
:mod:`node.hub.log.store`, keys and checkpoints :mod:`node.hub.log.signing`.
"""

from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue

from federation.tlog import note
from federation.tlog.note import b64encode
from node.errors import Invalid, NotFound, OperationError
from node.extensions import csrf, db, limiter
from node.groups.models import Group
from node.hub.log import signing, store
from node.hub.log.models import LogCheckpoint
from node.members.access import public
from node.tenancy import current_group

bp = Blueprint("hub_log", __name__, url_prefix="/hub/log")
csrf.exempt(bp)
ENTRIES_DEFAULT, ENTRIES_MAX = 100, 1000
MAX_INT = 2**63 - 1
MAX_COSIGNATURE_BODY = 64 * 1024  # a note with 100 signature lines fits
MAX_ID = 200


@bp.errorhandler(OperationError)
def _refused(exc: OperationError) -> ResponseReturnValue:
    db.session.rollback()
    return jsonify({"error": exc.name, "detail": exc.message}), exc.status


def _hub() -> Group:
    group = current_group()
    if not group.is_hub:
        raise NotFound("this group keeps no transparency log (it is not a hub)")
    return group


def _int(name: str, default: int | None = None) -> int:
    raw = request.args.get(name)
    if raw is None:
        if default is None:
            raise Invalid(f"{name} is required")
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19 or int(raw) > MAX_INT:
        raise Invalid(f"{name} must be a whole number from 0 to {MAX_INT}")
    return int(raw)


def _text(body: str, cache: str = "no-cache") -> Response:
    response = Response(body, mimetype="text/plain")
    response.headers["Cache-Control"] = cache
    return response


def _size_at_most(hub: Group, name: str, size: int) -> None:
    current = store.head(hub.id).size
    if size > current:
        raise Invalid(f"{name} {size} is beyond the log's size {current}")


@bp.route("/checkpoint")
@public
@limiter.limit("600/minute")
def checkpoint() -> ResponseReturnValue:
    """The newest checkpoint (signed now if due), or ``?size=N``'s, with its cosignatures."""
    hub = _hub()
    size = request.args.get("size")
    row = (
        signing.latest_checkpoint(hub) if size is None else signing.checkpoint_at(hub, _int("size"))
    )
    served = signing.served_note(row)
    db.session.commit()
    return _text(served)


@bp.route("/key")
@public
def key() -> ResponseReturnValue:
    hub = _hub()
    text = signing.verifier_key(hub)
    db.session.commit()  # made on first use
    return _text(text + "\n", "public, max-age=300")


@bp.route("/entries")
@public
@limiter.limit("600/minute")
def entries() -> ResponseReturnValue:
    hub = _hub()
    start = _int("start", 0)
    limit = _int("limit", ENTRIES_DEFAULT)
    if limit < 1:
        raise Invalid("limit must be at least 1")
    limit = min(limit, ENTRIES_MAX)
    size = store.head(hub.id).size
    if start > size:
        raise Invalid(f"start {start} is beyond the log's size {size}")
    rows = store.entries(hub.id, start, min(limit, size - start))
    end = start + len(rows)
    following = (
        url_for("hub_log.entries", start=end, limit=limit, _external=True) if end < size else None
    )
    response = jsonify(
        {"entries": [{"index": i, "compact": c} for i, c in rows], "next": following}
    )
    response.headers["Cache-Control"] = "public, max-age=3600" if len(rows) == limit else "no-cache"
    return response


@bp.route("/proof/inclusion")
@public
@limiter.limit("600/minute")
def inclusion() -> ResponseReturnValue:
    hub = _hub()
    index, tree_size = _int("index"), _int("tree_size")
    if index >= tree_size:
        raise Invalid(f"index {index} is not in a tree of size {tree_size}")
    _size_at_most(hub, "tree_size", tree_size)
    hashes = store.inclusion_proof(hub.id, index, tree_size)
    return jsonify(
        {"hashes": [b64encode(h) for h in hashes], "leaf_index": index, "tree_size": tree_size}
    )


@bp.route("/proof/consistency")
@public
@limiter.limit("600/minute")
def consistency() -> ResponseReturnValue:
    hub = _hub()
    first, second = _int("first"), _int("second")
    if first > second:
        raise Invalid(f"first ({first}) must not exceed second ({second})")
    _size_at_most(hub, "second", second)
    hashes = store.consistency_proof(hub.id, first, second)
    return jsonify({"hashes": [b64encode(h) for h in hashes], "first": first, "second": second})


@bp.route("/index")
@public
@limiter.limit("600/minute")
def index() -> ResponseReturnValue:
    """Where a statement is in the log: ``?statement=ID`` (and optionally ``&issuer=URL``)."""
    hub = _hub()
    statement = request.args.get("statement", "")
    issuer = request.args.get("issuer")
    if not statement or len(statement) > MAX_ID or (issuer is not None and len(issuer) > 2048):
        raise Invalid(f"statement is required (at most {MAX_ID} characters)")
    leaves = store.leaves_of(hub.id, statement, issuer)
    if not leaves:
        raise NotFound(f"no statement {statement[:MAX_ID]} in the log")
    return jsonify(
        {"statement": statement, "leaves": [{"index": i, "issuer": u} for i, u in leaves]}
    )


def _json_cosignature(raw: bytes) -> tuple[str, str]:
    try:
        body: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise Invalid("the body is not JSON") from None
    if (
        not isinstance(body, dict)
        or not isinstance(body.get("checkpoint"), str)
        or not isinstance(body.get("cosignature"), str)
    ):
        raise Invalid('send {"checkpoint": "<checkpoint text>", "cosignature": "— <name> <b64>"}')
    return body["checkpoint"], body["cosignature"]


@bp.route("/cosignature", methods=["POST"])
@public
@limiter.limit("120/minute")
def cosignature() -> ResponseReturnValue:
    """A witness's cosignature: JSON ``{"checkpoint", "cosignature"}``; or (any other type) the
    checkpoint note with the witness's signature line among its signatures, or the bare line."""
    hub = _hub()
    if (request.content_length or 0) > MAX_COSIGNATURE_BODY:
        raise Invalid(f"the body exceeds {MAX_COSIGNATURE_BODY} bytes")
    raw = request.stream.read(MAX_COSIGNATURE_BODY + 1)
    if len(raw) > MAX_COSIGNATURE_BODY:
        raise Invalid(f"the body exceeds {MAX_COSIGNATURE_BODY} bytes")
    if request.mimetype == "application/json":
        kept = signing.add_cosignature(hub, *_json_cosignature(raw))
    else:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise Invalid("the body is not UTF-8 text") from None
        if text.startswith(note.SIGNATURE_PREFIX) and text.count("\n") <= 1:
            kept = signing.add_cosignature_line(hub, text)
        else:
            kept = signing.add_cosigned_note(hub, text)
    row = db.session.get_one(LogCheckpoint, kept.checkpoint_id)
    answer = {"size": row.size, "witness": kept.line.split(" ")[1], "timestamp": kept.timestamp}
    db.session.commit()
    return jsonify(answer), 202
