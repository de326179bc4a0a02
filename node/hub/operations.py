"""Hub state changes: enrolment tokens, enrolling, suspending, reinstating and removing groups.

Every change that alters who is trusted or counted re-issues the signed registry in the same
transaction. Functions never commit (the view or command does).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from federation.errors import DeliveryError
from node import clock
from node.audit import record
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.hub import aggregates, enrolment, registry, trust
from node.hub.enrolment import EnrolmentError
from node.hub.models import EnrolledGroup, EnrolmentToken


def require_hub(group: Group) -> None:
    if not group.is_hub:
        raise Invalid(
            _(
                "%(name)s is not a hub (create one with `commonground init --role hub`).",
                name=group.name,
            )
        )


def _text(value: str | None, label: str, limit: int, required: bool = True) -> str | None:
    value = " ".join((value or "").split())
    if required and not value:
        raise Invalid(_("%(label)s is required.", label=label))
    if len(value) > limit:
        raise Invalid(
            _("%(label)s must be at most %(limit)s characters.", label=label, limit=limit)
        )
    return value or None


def issue_token(
    hub: Group,
    name: str,
    region: str,
    area: str | None = None,
    actor: Any = None,
    lifetime: timedelta = enrolment.TOKEN_LIFETIME,
) -> tuple[str, EnrolmentToken]:
    """A one-time enrolment token for the group ``name`` (only its hash is kept)."""
    require_hub(hub)
    name = _text(name, _("Name"), 200) or ""
    region = _text(region, _("Region"), 100) or ""
    area = _text(area, _("Area"), 200, required=False)
    token, digest = enrolment.new_token()
    row = EnrolmentToken(
        group_id=hub.id,
        token_hash=digest,
        name=name,
        region=region,
        area=area,
        created_at=clock.utcnow_naive(),
        expires_at=clock.utcnow_naive() + lifetime,
    )
    db.session.add(row)
    db.session.flush()
    record(hub, actor, "hub-enrol-token", name, region)
    return token, row


def _usable_token(hub: Group, token: str) -> EnrolmentToken:
    row = db.session.scalar(
        select(EnrolmentToken).where(
            EnrolmentToken.group_id == hub.id,
            EnrolmentToken.token_hash == enrolment.token_hash(token),
        )
    )
    if row is None:
        raise EnrolmentError("bad-token", "unknown enrolment token", 403)
    if row.used_at is not None:
        raise EnrolmentError("bad-token", "this enrolment token has already been used", 403)
    if row.expires_at <= clock.utcnow_naive():
        raise EnrolmentError("bad-token", "this enrolment token has expired", 403)
    return row


def enrol(hub: Group, request_body: bytes, client: Any) -> EnrolledGroup:
    """Handle a signed enrolment request (see :mod:`node.hub.enrolment`); raises EnrolmentError.

    Order: size/parse, token (cheap, refuses strangers before we fetch anything), discovery and
    JWKS from the group's own origin, signature, then pin and follow.
    """
    if not hub.is_hub:
        raise EnrolmentError("not-a-hub", "this group is not a hub", 404)
    _header, claimed = enrolment.peek_request(request_body)
    token = _usable_token(hub, claimed["token"])
    try:
        discovery = client.discover(claimed["group"])
        info = next((g for g in discovery.groups if g.id == claimed["group"]), None)
        if info is None:
            raise EnrolmentError("unknown-issuer", "the group's node does not list that group")
        keys = client.fetch_jwks(info.jwks_uri)
    except DeliveryError as exc:
        raise EnrolmentError(
            "unreachable", f"could not fetch the group's keys: {exc}", 502
        ) from None
    payload = enrolment.verify_request(request_body, keys, hub.url, clock.now())
    enrolled = db.session.scalar(
        select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id, EnrolledGroup.url == info.id)
    )
    if enrolled is not None and enrolled.status != "removed":
        raise EnrolmentError("already-enrolled", "this group is already enrolled", 409)
    kid = _header["kid"]
    pinned = [dict(k) for k in keys if k.get("kid") == kid]
    now = clock.utcnow_naive()
    if enrolled is None:
        enrolled = EnrolledGroup(group_id=hub.id, url=info.id, statements=0, last_seq=0)
        db.session.add(enrolled)
    enrolled.name = token.name
    enrolled.region = token.region
    enrolled.area = token.area
    enrolled.status = "active"
    enrolled.keys = pinned
    enrolled.inbox, enrolled.outbox, enrolled.jwks_uri = info.inbox, info.outbox, info.jwks_uri
    enrolled.enrolled_at = now
    enrolled.status_changed_at = now
    db.session.flush()
    token.used_at = now
    token.used_by = payload["group"]
    trust.trust_enrolled(hub, enrolled, info)
    registry.reissue(hub)
    record(hub, None, "hub-enrol", enrolled.name, enrolled.url)
    return enrolled


def _change_status(hub: Group, enrolled: EnrolledGroup, status: str, actor: Any) -> None:
    require_hub(hub)
    if enrolled.group_id != hub.id:
        raise NotFound("No such enrolled group.")
    if enrolled.status == status:
        raise Conflict(f"{enrolled.name} is already {status}.")
    was_counted = enrolled.counted
    enrolled.status = status
    enrolled.status_changed_at = clock.utcnow_naive()
    if was_counted != enrolled.counted:
        aggregates.set_counted(enrolled, enrolled.counted)
    trust.set_trusted(hub, enrolled)
    registry.reissue(hub)
    record(hub, actor, f"hub-{status}", enrolled.name, enrolled.url)


def suspend(hub: Group, enrolled: EnrolledGroup, actor: Any = None) -> None:
    """Keep the group's statements but stop counting them."""
    _change_status(hub, enrolled, "suspended", actor)


def reinstate(hub: Group, enrolled: EnrolledGroup, actor: Any = None) -> None:
    _change_status(hub, enrolled, "active", actor)


def remove(hub: Group, enrolled: EnrolledGroup, actor: Any = None) -> None:
    """Stop trusting and counting the group (its statements stay as history)."""
    _change_status(hub, enrolled, "removed", actor)


def find_enrolled(hub: Group, ref: str) -> EnrolledGroup:
    """An enrolled group by id URL, numeric id or exact name (for the CLI)."""
    rows = db.session.scalars(select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id)).all()
    for row in rows:
        if ref in (row.url, str(row.id), row.name):
            return row
    raise NotFound(f"No enrolled group {ref!r}.")
