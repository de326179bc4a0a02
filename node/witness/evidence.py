"""Keep a finding as evidence (once), say it in plain words, and let an officer acknowledge it.

Evidence is never deleted and never "retried away": the witness keeps running its other checks,
and the same finding seen again is the same row (``fingerprint``: the kind, the checkpoints and
the statement). Acknowledging records who read it and when; the row stays.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select

from node import audit, clock
from node.errors import Conflict
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.timefmt import day
from node.witness.checks import Finding, body
from node.witness.models import Evidence

HEADLINES = {
    "key-changed": N_("The national hub started signing its log with a different key."),
    "bad-signature": N_(
        "The national hub sent us a log summary whose signature does not check out."
    ),
    "inconsistent": N_("The national hub showed us a log that rewrites what it showed us before."),
    "not-included": N_("The national hub showed us a log that leaves out our %(what)s."),
    "missing": N_("The national hub showed us a log that leaves out our %(what)s."),
    "split-view": N_(
        "The national hub showed %(other)s a different log from the one it showed us."
    ),
}


def _core(note_text: str | None) -> str:
    """A checkpoint's text without signatures (a re-sent cosignature is the same finding)."""
    if note_text is None:
        return ""
    try:
        return body(note_text).text()
    except ValueError:
        return note_text


def fingerprint(group_id: int, hub_url: str, finding: Finding) -> str:
    parts = [
        hub_url,
        finding.kind,
        _core(finding.checkpoint),
        _core(finding.other_checkpoint),
        finding.statement.statement_id if finding.statement is not None else "",
        str(finding.proof.get("served", "")) if finding.kind == "key-changed" else "",
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def keep(group_id: int, hub_url: str, finding: Finding) -> Evidence | None:
    """Store ``finding`` unless the same one is already kept; returns the new row or None."""
    mark = fingerprint(group_id, hub_url, finding)
    held = db.session.scalar(
        select(Evidence.id).where(Evidence.group_id == group_id, Evidence.fingerprint == mark)
    )
    if held is not None:
        return None
    statement = finding.statement
    row = Evidence(
        group_id=group_id,
        hub_url=hub_url[:500],
        kind=finding.kind,
        fingerprint=mark,
        detail=finding.detail[:1000],
        checkpoint=finding.checkpoint,
        other_checkpoint=finding.other_checkpoint,
        other_source=(finding.other_source or None) and str(finding.other_source)[:500],
        proof=finding.proof,
        statement_id=statement.statement_id if statement is not None else None,
        statement_issued_at=statement.issued_at if statement is not None else None,
        found_at=clock.utcnow_naive(),
    )
    db.session.add(row)
    db.session.flush()
    return row


def headline(row: Evidence, names: dict[str, str] | None = None) -> str:
    """The finding in one plain sentence, e.g. "… leaves out our decision of 3 May 2026"."""
    what = _("decision")
    if row.statement_issued_at is not None:
        what = _("decision of %(day)s", day=day(row.statement_issued_at, plain=True))
    other = (names or {}).get(row.other_source or "", row.other_source or _("another group"))
    if row.kind not in HEADLINES:
        return row.detail
    return _(HEADLINES[row.kind], what=what, other=other)


def open_evidence(group_id: int) -> list[Evidence]:
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.group_id == group_id, Evidence.acknowledged_at.is_(None))
            .order_by(Evidence.found_at.desc(), Evidence.id.desc())
        )
    )


def all_evidence(group_id: int) -> list[Evidence]:
    return list(
        db.session.scalars(
            select(Evidence)
            .where(Evidence.group_id == group_id)
            .order_by(Evidence.found_at.desc(), Evidence.id.desc())
        )
    )


def count_open() -> dict[int, int]:
    """Unacknowledged evidence per group id (for ``commonground doctor``)."""
    rows = db.session.execute(
        select(Evidence.group_id, func.count())
        .where(Evidence.acknowledged_at.is_(None))
        .group_by(Evidence.group_id)
    ).all()
    return {int(group_id): int(count) for group_id, count in rows}


def acknowledge(row: Evidence, actor: Any) -> Evidence:
    """An officer has read it: record who and when (the evidence itself stays)."""
    if row.acknowledged_at is not None:
        raise Conflict(_("This was already acknowledged."))
    row.acknowledged_at = clock.utcnow_naive()
    row.acknowledged_by = str(getattr(actor, "name", None) or "an officer")[:200]
    group = db.session.get(Group, row.group_id)
    audit.record(group, actor, "read-witness-evidence", f"evidence #{row.id}", row.kind)
    db.session.flush()
    return row
