"""Aggregates, maintained incrementally as each statement is stored, rebuildable from the store.

``apply_statement(hub, statement)`` runs inside the transaction that stores a verified
statement (hooked into ``node.federation``'s ingest), so the aggregates can never disagree with
the store. Counters move with SQL ``count = count + n`` so concurrent ingest workers don't lose
updates. Only *counted* endorsements (issuer active, not retracted) are in the counts; suspending
a group or retracting a statement subtracts, reinstating adds back. ``rebuild_aggregates``
empties the aggregate tables and replays every stored statement in (issuer, seq) order.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from node.extensions import db
from node.groups.models import Group
from node.hub.models import Endorsement, EnrolledGroup, HubCampaign, HubCandidate, Tally

ENDORSEMENT_TYPES = {"candidate-endorsement": "candidate", "campaign-endorsement": "campaign"}


def _naive(when: datetime) -> datetime:
    return when.replace(tzinfo=None) if when.tzinfo else when


def candidate_key(body: dict[str, Any]) -> str:
    """Same candidate = same name, office, area and election date (case and spaces ignored)."""
    parts = [" ".join(str(body[k]).split()).casefold() for k in ("candidate", "office", "area")]
    parts.append(body["election_date"])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _get_or_create(model: type, hub: Group, key: str, fields: dict[str, Any]) -> Any:
    stmt = select(model).where(model.group_id == hub.id, model.key == key)
    found = db.session.scalar(stmt)
    if found is not None:
        return found
    try:
        with db.session.begin_nested():
            found = model(group_id=hub.id, key=key, endorsements=0, **fields)
            db.session.add(found)
    except IntegrityError:  # another ingest worker created it first
        found = db.session.scalar(stmt)
    return found


def _subject(hub: Group, kind: str, body: dict[str, Any]) -> HubCandidate | HubCampaign:
    if kind == "candidate":
        return _get_or_create(
            HubCandidate,
            hub,
            candidate_key(body),
            {
                "name": body["candidate"],
                "office": body["office"],
                "area": body["area"],
                "election_date": date.fromisoformat(body["election_date"]),
            },
        )
    campaign = body["campaign"]
    return _get_or_create(
        HubCampaign,
        hub,
        campaign["id"],
        {"title": campaign["title"], "summary": campaign["summary"], "origin": campaign["origin"]},
    )


def _bump_tally(hub_id: int, kind: str, subject_id: int, region: str, month: str, n: int) -> None:
    where = (
        Tally.group_id == hub_id,
        Tally.kind == kind,
        Tally.subject_id == subject_id,
        Tally.region == region,
        Tally.month == month,
    )
    done = db.session.execute(update(Tally).where(*where).values(count=Tally.count + n))
    if done.rowcount:  # type: ignore[attr-defined]
        return
    try:
        with db.session.begin_nested():
            db.session.add(
                Tally(
                    group_id=hub_id,
                    kind=kind,
                    subject_id=subject_id,
                    region=region,
                    month=month,
                    count=n,
                )
            )
    except IntegrityError:
        db.session.execute(update(Tally).where(*where).values(count=Tally.count + n))


def adjust(endorsement: Endorsement, n: int) -> None:
    """Add ``n`` (+1 or -1) for one endorsement to its subject's count and the tallies."""
    model = HubCandidate if endorsement.kind == "candidate" else HubCampaign
    db.session.execute(
        update(model)
        .where(model.id == endorsement.subject_id)
        .values(endorsements=model.endorsements + n)
        .execution_options(synchronize_session=False)
    )
    month = endorsement.issued_at.strftime("%Y-%m")
    for subject in (endorsement.subject_id, 0):
        _bump_tally(endorsement.group_id, endorsement.kind, subject, endorsement.region, month, n)


def _endorse(hub: Group, enrolled: EnrolledGroup, statement: Any) -> Endorsement:
    kind = ENDORSEMENT_TYPES[statement.type]
    body = statement.body
    decision = body["decision"]
    subject = _subject(hub, kind, body)
    issued = _naive(statement.issued_at)
    row = Endorsement(
        group_id=hub.id,
        enrolled_id=enrolled.id,
        statement_id=statement_uuid(statement),
        seq=statement.seq,
        kind=kind,
        subject_id=subject.id,
        region=enrolled.region,
        method=decision["method"],
        electorate=decision.get("electorate"),
        turnout=decision.get("turnout"),
        result=decision["result"]["summary"][:1000],
        decided_on=date.fromisoformat(decision["decided_on"]),
        issued_at=issued,
        counted=enrolled.counted,
    )
    db.session.add(row)
    db.session.flush()
    if row.counted:
        adjust(row, +1)
        if subject.last_endorsed_at is None or subject.last_endorsed_at < issued:
            subject.last_endorsed_at = issued
    return row


def _retract(hub: Group, enrolled: EnrolledGroup, statement: Any) -> None:
    row = db.session.scalar(
        select(Endorsement).where(
            Endorsement.group_id == hub.id,
            Endorsement.statement_id == statement.body["statement_id"],
            Endorsement.enrolled_id == enrolled.id,  # a group can only retract its own
        )
    )
    if row is None or row.retracted_at is not None:
        return
    row.retracted_at = _naive(statement.issued_at)
    row.retraction_reason = statement.body["reason"][:2000]
    if row.counted:
        adjust(row, -1)
        row.counted = False


def statement_uuid(statement: Any) -> str:
    """The statement's UUID, from a ``VerifiedStatement`` (``id``) or a stored row
    (``statement_id``; a row's ``id`` is its primary key)."""
    return getattr(statement, "statement_id", None) or statement.id


def enrolled_for(hub: Group, issuer: str) -> EnrolledGroup | None:
    return db.session.scalar(
        select(EnrolledGroup).where(EnrolledGroup.group_id == hub.id, EnrolledGroup.url == issuer)
    )


def apply_statement(hub: Group, statement: Any) -> None:
    """Fold one verified, newly stored statement of an enrolled group into the aggregates.

    ``statement`` is a ``federation.VerifiedStatement`` or a stored ``node.federation`` row.
    Statements of issuers that are not enrolled here (peers of the hub group) are ignored.
    """
    if not hub.is_hub:
        return
    enrolled = enrolled_for(hub, statement.issuer)
    if enrolled is None:
        return
    if statement.type in ENDORSEMENT_TYPES:
        _endorse(hub, enrolled, statement)
    elif statement.type == "retraction":
        _retract(hub, enrolled, statement)
    elif statement.type == "key-rotation":
        new_key = dict(statement.body["new_key"])
        from federation import thumbprint

        new_key["kid"] = thumbprint(new_key)
        if new_key["kid"] not in enrolled.thumbprints:
            enrolled.keys = [*enrolled.keys, new_key]
            from node.hub import registry, trust

            trust.add_keys(hub, enrolled)
            registry.reissue(hub)
    if statement.seq > enrolled.last_seq:
        enrolled.last_seq = statement.seq
        enrolled.last_hash = statement.hash
    enrolled.statements = EnrolledGroup.statements + 1
    issued = _naive(statement.issued_at)
    if enrolled.last_statement_at is None or enrolled.last_statement_at < issued:
        enrolled.last_statement_at = issued


def set_counted(enrolled: EnrolledGroup, counted: bool) -> int:
    """Subtract (suspension, removal) or add back (reinstatement) a group's live endorsements."""
    rows = db.session.scalars(
        select(Endorsement).where(
            Endorsement.enrolled_id == enrolled.id,
            Endorsement.retracted_at.is_(None),
            Endorsement.counted.is_(not counted),
        )
    ).all()
    for row in rows:
        adjust(row, +1 if counted else -1)
        row.counted = counted
    return len(rows)


def clear_aggregates(hub: Group) -> None:
    for model in (Tally, Endorsement, HubCandidate, HubCampaign):
        db.session.execute(delete(model).where(model.group_id == hub.id))
    db.session.execute(
        update(EnrolledGroup)
        .where(EnrolledGroup.group_id == hub.id)
        .values(statements=0, last_seq=0, last_hash=None, last_statement_at=None)
    )


def rebuild_aggregates(hub: Group, statements: Iterable[Any]) -> int:
    """Empty the aggregates and replay ``statements`` (verified, in issuer/seq order)."""
    clear_aggregates(hub)
    db.session.flush()
    done = 0
    for statement in statements:
        apply_statement(hub, statement)
        done += 1
        if done % 1000 == 0:
            db.session.flush()
    return done
