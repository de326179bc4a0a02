"""Publishing: decisions become signed statements, written with their deliveries in one transaction.

This is the transactional outbox: :func:`publish` signs the next statement of the group's chain,
stores it, and adds one :class:`Delivery` row per active follower, all in the caller's
transaction. If the caller rolls back, nothing was published and nothing will be sent; if it
commits, the worker will deliver every row, however often it is restarted. Functions here never
commit (the view or command does).

API for other rooms:
* :func:`endorse_candidate`, :func:`publish_campaign_endorsement`, :func:`retract`,
  :func:`rotate_key` — publish statements;
* :func:`received_campaign_endorsements`, :func:`received_statements` — read what is held.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select, update

from federation import statements as fst
from federation.errors import StatementError
from node import clock
from node.audit import record
from node.errors import Conflict, Invalid, NotFound
from node.extensions import db
from node.groups.models import Group
from node.peering import keystore
from node.peering.models import Delivery, Follower, GroupKey, Peer, Statement


def _last_own(group: Group) -> Statement | None:
    return db.session.scalar(
        select(Statement)
        .where(Statement.group_id == group.id, Statement.issuer == group.url)
        .order_by(Statement.seq.desc())
        .limit(1)
    )


def _lock_group(group: Group) -> None:
    """Serialise publishers of one group (PostgreSQL row lock; SQLite serialises writers anyway).

    Two concurrent publishers would otherwise pick the same seq; the UNIQUE constraint would then
    refuse the second, so this only turns an error into a wait.
    """
    db.session.execute(select(Group.id).where(Group.id == group.id).with_for_update())


def publish(
    group: Group,
    type: str,
    body: dict[str, Any],
    actor: Any = None,
    *,
    key_row: GroupKey | None = None,
) -> Statement:
    """Sign ``body`` as the group's next statement; store it and queue its deliveries."""
    _lock_group(group)
    key_row = key_row or keystore.current_key(group)
    private = keystore.private_key(group, key_row)
    last = _last_own(group)
    seq = 1 if last is None else last.seq + 1
    # One reading of the clock: the stored column must equal what was signed (hub audit checks).
    issued = clock.now().replace(microsecond=0)
    payload = fst.build_payload(
        type,
        group.url,
        seq,
        None if last is None else last.hash,
        body,
        issued_at=issued,
    )
    try:
        compact = fst.sign(payload, private)
    except StatementError as exc:
        raise Invalid(
            _(
                "The statement could not be signed: %(code)s: %(detail)s",
                code=exc.code,
                detail=exc.detail,
            )
        ) from None
    row = Statement(
        group_id=group.id,
        issuer=group.url,
        seq=seq,
        statement_id=payload["id"],
        type=type,
        prev=payload["prev"],
        hash=fst.statement_hash(compact),
        kid=key_row.kid,
        payload=payload,
        compact=compact,
        issued_at=issued.replace(tzinfo=None),
        received_at=clock.utcnow_naive(),
        verification="own",
    )
    db.session.add(row)
    db.session.flush()
    now = clock.utcnow_naive()
    for inbox in db.session.scalars(
        select(Follower.inbox).where(Follower.group_id == group.id, Follower.status == "active")
    ):
        db.session.add(
            Delivery(group_id=group.id, statement_pk=row.id, destination=inbox, next_attempt_at=now)
        )
    if type == "retraction":
        mark_retracted(group.id, group.url, body["statement_id"], payload["id"], body["reason"])
    record(group, actor, f"publish-{type}", f"statement {seq}", payload["id"])
    return row


def mark_retracted(holder: int, issuer: str, target: str, by: str, reason: str) -> None:
    """Mark ``target`` retracted if it is one of ``issuer``'s (a retraction of anything else,
    of a retraction, or of one already retracted has no effect). One UPDATE, no row loaded."""
    db.session.execute(
        update(Statement)
        .where(
            Statement.group_id == holder,
            Statement.issuer == issuer,
            Statement.statement_id == target,
            Statement.type != "retraction",
            Statement.retracted_by.is_(None),
        )
        .values(retracted_by=by, retraction_reason=reason[:2000])
    )


def meeting_decision(
    meeting_date: date | str, minute: str, summary: str, turnout: int | None = None
) -> dict[str, Any]:
    """The decision object of a decision taken at an in-person meeting."""
    return {
        "method": "meeting",
        "electorate": None,
        "turnout": turnout,
        "result": {"summary": summary[:1000]},
        "ballots_hash": None,
        "decided_on": str(meeting_date),
        "minute": minute,
    }


def endorse_candidate(
    group: Group,
    name: str,
    office: str,
    area: str,
    election_date: date | str,
    decision: dict[str, Any],
    actor: Any = None,
) -> Statement:
    body = {
        "candidate": name.strip(),
        "office": office.strip(),
        "area": area.strip(),
        "election_date": str(election_date),
        "decision": decision,
    }
    return publish(group, "candidate-endorsement", body, actor)


def publish_campaign_endorsement(
    group: Group, campaign: dict[str, Any], decision: dict[str, Any], actor: Any = None
) -> Statement:
    """Endorse a campaign: ``campaign`` = dict(id_url, title, summary, origin) (URLs absolute)."""
    body = {
        "campaign": {
            "id": campaign["id_url"],
            "title": campaign["title"].strip(),
            "summary": campaign["summary"].strip(),
            "origin": campaign.get("origin") or group.url,
        },
        "decision": decision,
    }
    return publish(group, "campaign-endorsement", body, actor)


def retract(group: Group, statement_id: str, reason: str, actor: Any = None) -> Statement:
    target = db.session.scalar(
        select(Statement).where(
            Statement.group_id == group.id,
            Statement.issuer == group.url,
            Statement.statement_id == statement_id.strip(),
        )
    )
    if target is None:
        raise NotFound(
            _(
                "%(group)s has published no statement %(statement)s.",
                group=group.name,
                statement=repr(statement_id[:40]),
            )
        )
    if target.type in ("retraction", "key-rotation"):
        raise Invalid(_("A %(kind)s cannot be retracted.", kind=target.type))
    if target.retracted_by:
        raise Conflict(_("That statement is already retracted."))
    if not reason.strip():
        raise Invalid(_("Give a reason for the retraction."))
    return publish(
        group, "retraction", {"statement_id": target.statement_id, "reason": reason.strip()}, actor
    )


def rotate_key(group: Group, actor: Any = None) -> Statement:
    """Make a new key and announce it with a key-rotation statement signed by the old key.

    The old key is retired (no longer signs) but stays in the JWKS so history still verifies.
    """
    old = keystore.current_key(group)
    new = keystore.new_key(group)
    new_jwk = {k: new.public_jwk[k] for k in ("kty", "crv", "x", "kid", "alg", "use")}
    body = {"new_key": new_jwk, "previous_kid": old.kid}
    statement = publish(group, "key-rotation", body, actor, key_row=old)
    old.retired_at = clock.utcnow_naive()
    db.session.flush()
    return statement


def retry_delivery(delivery: Delivery, actor: Any = None) -> None:
    """An officer asks for a failed or dead-lettered delivery to be tried again now."""
    if delivery.state in ("failed", "dead", "pending"):
        delivery.state = "pending"
        delivery.attempts = 0
        delivery.next_attempt_at = clock.utcnow_naive()
        delivery.locked_until = None
        delivery.last_error = None
        record(
            db.session.get(Group, delivery.group_id), actor, "retry-delivery", delivery.destination
        )


# ----------------------------------------------------------------------------- reading
def received_statements(group: Group, limit: int | None = None) -> list[tuple[Statement, str]]:
    """Statements received from peers, newest first, with the issuer's display name."""
    names = dict(
        db.session.execute(select(Peer.issuer, Peer.name).where(Peer.group_id == group.id)).all()
    )
    stmt = (
        select(Statement)
        .where(Statement.group_id == group.id, Statement.issuer != group.url)
        .order_by(Statement.received_at.desc(), Statement.seq.desc())
    )
    if limit:
        stmt = stmt.limit(limit)
    return [(row, names.get(row.issuer, row.issuer)) for row in db.session.scalars(stmt)]


def received_campaign_endorsements(group: Group) -> list[dict[str, Any]]:
    """Campaign endorsements received from peers, for the campaigns room ("endorsed by Walton").

    Each item: statement_id, issuer, issuer_name, campaign (id, title, summary, origin),
    decision, issued_at, retracted (bool), verification.
    """
    return [
        {
            "statement_id": row.statement_id,
            "issuer": row.issuer,
            "issuer_name": name,
            "campaign": dict(row.body["campaign"]),
            "decision": dict(row.body["decision"]),
            "issued_at": row.issued_at,
            "retracted": row.retracted_by is not None,
            "verification": row.verification,
        }
        for row, name in received_statements(group)
        if row.type == "campaign-endorsement"
    ]


def describe(row: Statement, issuer_name: str) -> str:
    """One line for people: "Walton endorsed Sam Ortiz for Surrey County Council (…)"."""
    body = row.body
    if row.type == "candidate-endorsement":
        return _(
            "%(issuer)s endorsed %(candidate)s for %(office)s (%(area)s, election %(date)s)",
            issuer=issuer_name,
            candidate=body["candidate"],
            office=body["office"],
            area=body["area"],
            date=body["election_date"],
        )
    if row.type == "campaign-endorsement":
        return _(
            "%(issuer)s endorsed the campaign “%(title)s”",
            issuer=issuer_name,
            title=body["campaign"]["title"],
        )
    if row.type == "retraction":
        return _(
            "%(issuer)s retracted an earlier statement: %(reason)s",
            issuer=issuer_name,
            reason=body["reason"],
        )
    if row.type == "key-rotation":
        return _(
            "%(issuer)s changed its signing key (new key %(kid)s…)",
            issuer=issuer_name,
            kid=body["new_key"]["kid"][:12],
        )
    if row.type == "registry":
        return _("%(issuer)s published its list of enrolled groups", issuer=issuer_name)
    return f"{issuer_name}: {row.type.replace('-', ' ')}"
