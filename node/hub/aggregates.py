"""Aggregates, maintained incrementally as statements are stored, rebuildable from the store.

``apply_batch(hub, statements)`` runs inside the transaction that stores a verified batch (the
``statements_received`` signal of ``node.peering.ingest``), so the aggregates can never disagree
with the store.
Per batch it reads the enrolled groups and subjects it needs once, inserts the endorsement rows
together, and then touches each counter once: one ``UPDATE … SET endorsements = endorsements + n``
per subject and one upsert per (kind, subject, region, month) tally, in a fixed order (by id /
key) so concurrent ingest workers neither lose updates nor deadlock. A campaign's title, summary
and origin come only from its owner's statements (``federation.owns_campaign``). Only *counted*
endorsements (issuer active, not retracted) are in the counts; suspending a group or retracting
a statement subtracts, reinstating adds back. ``rebuild_aggregates`` empties the aggregate
tables and replays every stored statement in (issuer, seq) order, in batches.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, delete, select, update

from federation import owns_campaign, thumbprint
from node.bulk import insert_rows
from node.extensions import db
from node.groups.models import Group
from node.hub import registry, trust
from node.hub.counters import MODELS, Counters
from node.hub.models import Endorsement, EnrolledGroup, HubCampaign, HubCandidate, Tally

ENDORSEMENT_TYPES = {"candidate-endorsement": "candidate", "campaign-endorsement": "campaign"}
REBUILD_BATCH = 500
ENDORSEMENTS: Table = db.metadata.tables[Endorsement.__tablename__]


def _naive(when: datetime) -> datetime:
    return when.replace(tzinfo=None) if when.tzinfo else when


def candidate_key(body: dict[str, Any]) -> str:
    """Same candidate = same name, office, area and election date (case and spaces ignored)."""
    parts = [" ".join(str(body[k]).split()).casefold() for k in ("candidate", "office", "area")]
    parts.append(body["election_date"])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def _subject_fields(kind: str, st: Any) -> tuple[str, dict[str, Any], bool]:
    """(key, fields, defining): ``defining`` is True when ``st`` may set the subject's fields.

    A campaign is described only by its owner (``federation.owns_campaign``: the issuer at whose
    URL it lives), with the owner itself as its origin. Anyone else's endorsement counts for it
    but describes it by its URL alone until the owner's own statement arrives and takes over.
    """
    body = st.body
    if kind == "candidate":
        return (
            candidate_key(body),
            {
                "name": body["candidate"],
                "office": body["office"],
                "area": body["area"],
                "election_date": date.fromisoformat(body["election_date"]),
            },
            False,
        )
    campaign = body["campaign"]
    if owns_campaign(st.issuer, campaign["id"]):
        fields = {"title": campaign["title"], "summary": campaign["summary"], "origin": st.issuer}
        return campaign["id"], fields, True
    return campaign["id"], {"title": campaign["id"][:200], "summary": "", "origin": ""}, False


def _define_campaigns(hub: Group, owned: dict[str, dict[str, Any]]) -> None:
    """Set campaigns' title, summary and origin from their owners' statements (whoever
    mentioned the campaign first)."""
    for key, fields in sorted(owned.items()):
        db.session.execute(
            update(HubCampaign)
            .where(HubCampaign.group_id == hub.id, HubCampaign.key == key)
            .values(**fields)
        )


def _subject_ids(hub: Group, kind: str, wanted: dict[str, dict[str, Any]]) -> dict[str, int]:
    """{key: id} for ``wanted`` subjects, creating the missing ones (race-safe: ON CONFLICT)."""
    if not wanted:
        return {}
    model = MODELS[kind]

    def lookup(keys: Iterable[str]) -> dict[str, int]:
        stmt = select(model.key, model.id).where(model.group_id == hub.id, model.key.in_(keys))
        return dict(db.session.execute(stmt).all())

    found = lookup(wanted)
    missing = sorted(k for k in wanted if k not in found)
    if missing:
        rows = [{"group_id": hub.id, "key": k, "endorsements": 0, **wanted[k]} for k in missing]
        insert_rows(
            model.__table__,
            rows,
            lambda stmt: stmt.on_conflict_do_nothing(index_elements=["group_id", "key"]),
        )
        found.update(lookup(missing))
    return found


def statement_uuid(statement: Any) -> str:
    """The statement's UUID, from a ``VerifiedStatement`` (``id``) or a stored row
    (``statement_id``; a row's ``id`` is its primary key)."""
    return getattr(statement, "statement_id", None) or statement.id


def _endorsement(
    hub: Group, enrolled: EnrolledGroup, st: Any, kind: str, subject: int
) -> dict[str, Any]:
    """A ``hub_endorsements`` row, as the values of a Core INSERT."""
    decision = st.body["decision"]
    return {
        "group_id": hub.id,
        "enrolled_id": enrolled.id,
        "statement_id": statement_uuid(st),
        "seq": st.seq,
        "kind": kind,
        "subject_id": subject,
        "region": enrolled.region,
        "method": decision["method"],
        "electorate": decision.get("electorate"),
        "turnout": decision.get("turnout"),
        "result": decision["result"]["summary"][:1000],
        "decided_on": date.fromisoformat(decision["decided_on"]),
        "issued_at": _naive(st.issued_at),
        "counted": enrolled.counted,
        "retracted_at": None,
        "retraction_reason": None,
    }


def _retraction_targets(hub: Group, mine: Sequence[Any]) -> dict[str, Endorsement]:
    wanted = [st.body["statement_id"] for st in mine if st.type == "retraction"]
    if not wanted:
        return {}
    stmt = select(Endorsement).where(
        Endorsement.group_id == hub.id, Endorsement.statement_id.in_(wanted)
    )
    return {row.statement_id: row for row in db.session.scalars(stmt)}


def _retract(
    st: Any,
    group: EnrolledGroup,
    new_rows: dict[str, dict[str, Any]],
    targets: dict[str, Endorsement],
    counters: Counters,
) -> None:
    """Apply a retraction to its target: a row of this batch (not inserted yet) or a stored one.
    A group can only retract its own endorsement, and only once."""
    when, reason = _naive(st.issued_at), st.body["reason"][:2000]
    fresh = new_rows.get(st.body["statement_id"])
    if fresh is not None:
        if fresh["enrolled_id"] != group.id or fresh["retracted_at"] is not None:
            return
        fresh.update(retracted_at=when, retraction_reason=reason)
        if fresh["counted"]:
            counters.add_fields(
                fresh["kind"], fresh["subject_id"], fresh["region"], fresh["issued_at"], -1
            )
            fresh["counted"] = False
        return
    row = targets.get(st.body["statement_id"])
    if row is None or row.enrolled_id != group.id or row.retracted_at is not None:
        return
    row.retracted_at, row.retraction_reason = when, reason
    if row.counted:
        counters.add(row, -1)
        row.counted = False


def _rotate(hub: Group, enrolled: EnrolledGroup, st: Any) -> None:
    new_key = dict(st.body["new_key"])
    new_key["kid"] = thumbprint(new_key)
    if new_key["kid"] not in enrolled.thumbprints:
        enrolled.keys = [*enrolled.keys, new_key]
        trust.add_keys(hub, enrolled)
        registry.reissue(hub)


def apply_batch(hub: Group, statements: Sequence[Any]) -> int:
    """Fold verified, newly stored statements (in issuer/seq order) into the aggregates.

    ``statements`` are ``federation.VerifiedStatement``s or stored ``node.peering`` rows.
    Statements of issuers that are not enrolled here (peers of the hub group) are ignored.
    Returns how many were folded in.
    """
    if not hub.is_hub or not statements:
        return 0
    issuers = {st.issuer for st in statements}
    enrolled = {
        e.url: e
        for e in db.session.scalars(
            select(EnrolledGroup).where(
                EnrolledGroup.group_id == hub.id, EnrolledGroup.url.in_(issuers)
            )
        )
    }
    mine = [st for st in statements if st.issuer in enrolled]
    if not mine:
        return 0
    wanted: dict[str, dict[str, dict[str, Any]]] = {"candidate": {}, "campaign": {}}
    owned: dict[str, dict[str, Any]] = {}  # campaign key -> its owner's latest description
    keys: list[str | None] = []
    for st in mine:
        kind = ENDORSEMENT_TYPES.get(st.type)
        if kind is None:
            keys.append(None)
            continue
        key, fields, defining = _subject_fields(kind, st)
        if defining:
            wanted[kind][key] = owned[key] = fields
        else:
            wanted[kind].setdefault(key, fields)
        keys.append(key)
    ids = {kind: _subject_ids(hub, kind, wanted[kind]) for kind in MODELS}
    _define_campaigns(hub, owned)
    targets = _retraction_targets(hub, mine)
    counters = Counters(hub.id)
    new_rows: dict[str, dict[str, Any]] = {}
    per_group: dict[int, list[Any]] = defaultdict(list)
    for st, subject_key in zip(mine, keys, strict=True):
        group = enrolled[st.issuer]
        per_group[group.id].append(st)
        kind = ENDORSEMENT_TYPES.get(st.type)
        if kind is not None and subject_key is not None:
            row = _endorsement(hub, group, st, kind, ids[kind][subject_key])
            new_rows[row["statement_id"]] = row
            if row["counted"]:
                counters.add_fields(kind, row["subject_id"], group.region, row["issued_at"], +1)
        elif st.type == "retraction":
            _retract(st, group, new_rows, targets, counters)
        elif st.type == "key-rotation":
            _rotate(hub, group, st)
    if new_rows:
        insert_rows(ENDORSEMENTS, list(new_rows.values()))
    db.session.flush()
    counters.apply()
    for group_id, done in per_group.items():
        group = next(e for e in enrolled.values() if e.id == group_id)
        last = max(done, key=lambda st: st.seq)
        if last.seq > group.last_seq:
            group.last_seq = last.seq
            group.last_hash = last.hash
        group.statements = EnrolledGroup.statements + len(done)
        newest = max(_naive(st.issued_at) for st in done)
        if group.last_statement_at is None or group.last_statement_at < newest:
            group.last_statement_at = newest
    db.session.flush()
    return len(mine)


def set_counted(enrolled: EnrolledGroup, counted: bool) -> int:
    """Subtract (suspension, removal) or add back (reinstatement) a group's live endorsements."""
    rows = db.session.scalars(
        select(Endorsement).where(
            Endorsement.enrolled_id == enrolled.id,
            Endorsement.retracted_at.is_(None),
            Endorsement.counted.is_(not counted),
        )
    ).all()
    counters = Counters(enrolled.group_id)
    for row in rows:
        counters.add(row, +1 if counted else -1)
        row.counted = counted
    db.session.flush()
    counters.apply()
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
    db.session.expire_all()
    done = 0
    chunk: list[Any] = []
    for statement in statements:
        chunk.append(statement)
        if len(chunk) >= REBUILD_BATCH:
            apply_batch(hub, chunk)
            done += len(chunk)
            chunk = []
    if chunk:
        apply_batch(hub, chunk)
        done += len(chunk)
    return done
