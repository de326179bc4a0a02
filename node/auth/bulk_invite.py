""" "Invite everyone without an account": a preview, a confirmed run, and the worker's sends.

The officer sees who would get an invitation and who is skipped and why, then confirms; that
writes one :class:`InvitationRun` with an item per recipient (the send log). The worker
(periodic task ``members.invite_everyone``) mails the items one per transaction through
``node.scheduler.each_item``, so one bad address never stops the rest: an invitation the mail
server refuses is recorded on its item as failed (and its invitation withdrawn, so a later run
tries again); anything unexpected is recorded by the scheduler and retried with back-off.

Each invitation is mailed only (the officer never sees these links), so accepting one proves
the address (node.auth.operations). A run never invites anyone who already has a live
invitation of the group or is waiting in an unfinished run, so running it again is safe. Each
item is checked again just before it is sent: a member erased, signed up, invited or
unsubscribed meanwhile is skipped with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import func, select, update

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

from node import clock, mail_outcome
from node.audit import record
from node.auth import operations as auth_ops
from node.auth.models import RUN_ITEM_STATES, Invitation, InvitationRun, InvitationRunItem
from node.errors import Invalid
from node.extensions import db
from node.groups.models import Group
from node.i18n import N_
from node.members.models import Member
from node.scheduler import Item, each_item

TASK = "members.invite_everyone"
SKIP_REASONS = {
    "no-address": N_("no e-mail address"),
    "no-consent": N_("has not agreed to e-mail"),
    "invited": N_("already has an invitation that is still valid"),
    "queued": N_("already waiting in a send that has not finished"),
}


@dataclass
class Preview:
    recipients: list[Member] = field(default_factory=list)
    skipped: dict[str, list[Member]] = field(default_factory=dict)
    erased: int = 0  # erased records are counted, never named

    @property
    def skipped_count(self) -> int:
        return self.erased + sum(len(v) for v in self.skipped.values())


def _live_invitations(group: Group) -> set[str]:
    rows = db.session.scalars(
        select(func.lower(Invitation.email)).where(
            Invitation.group_id == group.id,
            Invitation.used_at.is_(None),
            Invitation.expires_at > clock.utcnow_naive(),
        )
    )
    return set(rows)


def _queued(group: Group) -> set[int]:
    rows = db.session.scalars(
        select(InvitationRunItem.member_id).where(
            InvitationRunItem.group_id == group.id, InvitationRunItem.state == "pending"
        )
    )
    return {row for row in rows if row is not None}


def _reason(member: Member, invited: set[str], queued: set[int]) -> str | None:
    if not member.email:
        return "no-address"
    if not member.consent_email:
        return "no-consent"
    if member.id in queued:
        return "queued"
    if member.email.lower() in invited:
        return "invited"
    return None


def preview(group: Group) -> Preview:
    """Who of the group's records without an account would be invited now, and who not, why."""
    result = Preview(skipped={reason: [] for reason in SKIP_REASONS})
    invited, queued = _live_invitations(group), _queued(group)
    members = db.session.scalars(
        select(Member)
        .where(Member.group_id == group.id, Member.account_id.is_(None))
        .order_by(func.lower(Member.name), Member.id)
    )
    for member in members:
        if member.erased_at is not None:
            result.erased += 1
        elif (reason := _reason(member, invited, queued)) is not None:
            result.skipped[reason].append(member)
        else:
            result.recipients.append(member)
    return result


def start_run(group: Group, actor: Member | None) -> InvitationRun:
    """Queue an invitation for everyone the preview lists now (the worker sends them)."""
    recipients = preview(group).recipients
    run = InvitationRun(group_id=group.id, created_by_id=actor.id if actor else None)
    run.total = len(recipients)
    db.session.add(run)
    db.session.flush()
    db.session.add_all(
        InvitationRunItem(
            run_id=run.id,
            group_id=group.id,
            member_id=member.id,
            email=(member.email or "").lower(),
        )
        for member in recipients
    )
    record(group, actor, "invite-everyone", f"run #{run.id}", f"{run.total} queued")
    db.session.flush()
    return run


def progress(run: InvitationRun) -> dict[str, int]:
    """How many items of the run are in each state."""
    counts = dict.fromkeys(RUN_ITEM_STATES, 0)
    rows = db.session.execute(
        select(InvitationRunItem.state, func.count())
        .where(InvitationRunItem.run_id == run.id)
        .group_by(InvitationRunItem.state)
    )
    for state, count in rows:
        counts[state] = count
    return counts


def _finish(item: InvitationRunItem, state: str, error: str | None = None) -> int:
    item.state, item.error = state, error
    if state == "sent":
        item.sent_at = clock.utcnow_naive()
    return 1 if state == "sent" else 0


def send_item(item_id: int) -> int:
    """Send one item's invitation (one transaction; each_item commits). Returns 1 if mailed."""
    claimed = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(InvitationRunItem)
            .where(InvitationRunItem.id == item_id, InvitationRunItem.state == "pending")
            .values(state="sending")
        ),
    )
    item = db.session.get(InvitationRunItem, item_id)
    if claimed.rowcount != 1 or item is None:  # another worker has it, or it is done
        db.session.rollback()
        return 0
    group = db.session.get(Group, item.group_id)
    run = db.session.get(InvitationRun, item.run_id)
    member = db.session.get(Member, item.member_id) if item.member_id is not None else None
    if group is None or run is None or member is None or member.erased_at is not None:
        return _finish(item, "skipped", "erased from the roster")
    if member.account_id is not None:
        return _finish(item, "skipped", "has an account now")
    if (member.email or "").lower() != item.email:
        return _finish(item, "skipped", "the member's address changed; run again to invite it")
    reason = _reason(member, _live_invitations(group), set())
    if reason is not None:
        return _finish(item, "skipped", SKIP_REASONS[reason])
    actor = db.session.get(Member, run.created_by_id) if run.created_by_id else None
    try:
        issued = auth_ops.create_invitation(group, item.email, "member", actor)
    except Invalid as exc:
        return _finish(item, "failed", str(exc)[:500])
    mailed = issued.mailed
    if mailed is None or mailed.status != "sent":
        db.session.delete(issued.invitation)  # never arrived: a later run tries again
        why = (mailed.error if mailed is not None else None) or mail_outcome.SWITCHED_OFF
        return _finish(item, "failed", why[:500])
    return _finish(item, "sent")


def due_items() -> list[Item[int]]:
    rows = db.session.execute(
        select(InvitationRunItem.id, InvitationRunItem.group_id, InvitationRunItem.email)
        .where(InvitationRunItem.state == "pending")
        .order_by(InvitationRunItem.id)
    )
    return [
        Item(f"invite:{i}", group_id, f"Invitation to {email}", i) for i, group_id, email in rows
    ]


def send_due() -> int:
    """Scheduler task: mail every queued invitation, one recipient per transaction."""
    return each_item(TASK, due_items(), send_item)
