"""The officers' log is a hash chain: an entry edited, removed or slipped in afterwards is found,
and an erasure is visible in the chain instead of breaking it (node.audit, doctor)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select, update

from node import audit
from node.audit import AuditEntry, verify_chain
from node.extensions import db
from node.ops.database_checks import check_audit_chain


def _write_log(group: Any, officer: Any, n: int = 5) -> list[AuditEntry]:
    for i in range(n):
        audit.record(group, officer, "ballot-opened", f"ballot #{i}", f"detail {i}")
    db.session.commit()
    return list(
        db.session.scalars(
            select(AuditEntry).where(AuditEntry.group_id == group.id).order_by(AuditEntry.seq)
        )
    )


def _breaks(group: Any) -> list[tuple[int, str]]:
    db.session.expire_all()
    return [(b.seq, b.reason) for b in verify_chain(group.id)]


def test_entries_chain_in_order_per_group_and_verify(app, group, officer, make_group) -> None:
    other = make_group("Bootle", slug="bootle")
    audit.record(other, None, "group-created")
    entries = _write_log(group, officer)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == audit.GENESIS
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:], strict=False))
    assert _breaks(group) == [] and _breaks(other) == []
    assert audit.chain_head(other.id).seq == 1  # each group has its own chain
    [finding] = check_audit_chain()
    assert finding.level == "OK" and "2 group(s)" in finding.message


def test_an_edited_action_is_found(app, group, officer) -> None:
    entries = _write_log(group, officer)
    db.session.execute(
        update(AuditEntry).where(AuditEntry.id == entries[2].id).values(action="ballot-cancelled")
    )
    db.session.commit()
    assert _breaks(group) == [(3, "its action or time were changed")]


def test_an_edited_detail_is_found(app, group, officer) -> None:
    entries = _write_log(group, officer)
    db.session.execute(
        update(AuditEntry).where(AuditEntry.id == entries[1].id).values(detail="nothing to see")
    )
    db.session.commit()
    assert _breaks(group) == [(2, "who, target or detail were changed")]
    [finding] = check_audit_chain()
    assert finding.level == "FAIL"
    assert "walton" in finding.message and "entry 2" in finding.message


def test_a_removed_entry_is_found(app, group, officer) -> None:
    entries = _write_log(group, officer)
    db.session.execute(delete(AuditEntry).where(AuditEntry.id == entries[3].id))
    db.session.commit()
    found = _breaks(group)
    assert (4, "entry 4 is missing") in found
    assert (5, "it does not follow the entry before it") in found


def test_a_rewritten_chain_tail_still_breaks_at_the_first_change(app, group, officer) -> None:
    """Recomputing one entry's hash to match its edit breaks the link to the next one."""
    entries = _write_log(group, officer)
    target = entries[1]
    personal = audit.personal_digest(target.actor_label, target.target, "rewritten")
    forged = audit.entry_hash(group.id, 2, target.action, target.at, personal, target.prev_hash)
    db.session.execute(
        update(AuditEntry)
        .where(AuditEntry.id == target.id)
        .values(detail="rewritten", personal_digest=personal, entry_hash=forged)
    )
    db.session.commit()
    assert _breaks(group) == [(3, "it does not follow the entry before it")]


def test_erasing_a_member_redacts_their_entries_and_the_chain_still_verifies(
    app, group, officer, make_member
) -> None:
    from node.members.erasure import erase

    actor = make_member(group, "officer", email="leaving@example.org", name="Lee Leaving")
    audit.record(group, actor, "member-added", "leaving@example.org")
    _write_log(group, officer, 2)
    erase(actor)
    db.session.commit()
    erased = db.session.scalars(
        select(AuditEntry).where(AuditEntry.group_id == group.id, AuditEntry.actor_id == actor.id)
    ).all()
    assert erased and all(e.redacted_at is not None for e in erased)
    assert all("Lee Leaving" not in e.actor_label for e in erased)
    assert _breaks(group) == []
