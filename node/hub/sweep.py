"""The hub's sweep: pull every enrolled group's outbox from the last seq held.

Pushes are an optimisation; the sweep is what guarantees the hub is complete. It reuses the
federation worker's ``pull_peer`` (the same verify → chain → store path as the inbox, so gaps
are backfilled page by page and forks are recorded as evidence) and records each group's pull
health for the groups page. Registered as the ``hub-sweep`` periodic task.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import or_, select

from node import clock
from node.extensions import db
from node.groups.models import Group
from node.hub import trust
from node.hub.models import EnrolledGroup

SWEEP_INTERVAL = timedelta(minutes=5)


def sweep_group(hub: Group, enrolled: EnrolledGroup) -> int:
    """Pull one group now; returns statements stored. Commits (like the federation worker)."""
    from node.federation.worker import pull_peer

    enrolled_id, hub_id = enrolled.id, hub.id
    peer = trust._peer(hub, enrolled)
    if peer is None:
        return 0
    stored = pull_peer(peer)
    hub = db.session.get(Group, hub_id)  # type: ignore[assignment]
    enrolled = db.session.get(EnrolledGroup, enrolled_id)  # type: ignore[assignment]
    peer = trust._peer(hub, enrolled)
    now = clock.utcnow_naive()
    enrolled.last_sweep_at = now
    if peer.last_pull_error:
        enrolled.sweep_failures += 1
        enrolled.last_error = peer.last_pull_error[:500]
    else:
        enrolled.sweep_failures = 0
        enrolled.last_error = None
        enrolled.last_sweep_ok_at = now
    if peer.status == "flagged" and enrolled.forked_at is None:
        enrolled.forked_at = now
    db.session.commit()
    return stored


def run_sweep(force: bool = False) -> int:
    """The ``hub-sweep`` task: pull every enrolled (active or suspended) group that is due."""
    due_before = clock.utcnow_naive() - SWEEP_INTERVAL
    done = 0
    for hub in db.session.scalars(select(Group).where(Group.role == "hub")).all():
        stmt = select(EnrolledGroup).where(
            EnrolledGroup.group_id == hub.id, EnrolledGroup.status.in_(("active", "suspended"))
        )
        if not force:
            stmt = stmt.where(
                or_(
                    EnrolledGroup.last_sweep_at.is_(None), EnrolledGroup.last_sweep_at <= due_before
                )
            )
        for enrolled in db.session.scalars(stmt.order_by(EnrolledGroup.id)).all():
            done += sweep_group(hub, enrolled)
    return done
