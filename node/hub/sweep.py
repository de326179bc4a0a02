"""The hub's sweep: pull every enrolled group's outbox from the last seq held.

Pushes are an optimisation; the sweep is what guarantees the hub is complete. It reuses the
federation worker's ``pull_peer`` (the same verify → chain → store path as the inbox, so gaps
are backfilled page by page and forks are recorded as evidence) and records each group's pull
health for the groups page. Registered as the ``hub-sweep`` periodic task. One group's failure,
whatever it is, is recorded on that group (failures, last error) and backed off; the sweep goes
on with the others.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from node import clock, scheduler
from node.extensions import db
from node.groups.models import Group
from node.hub import trust
from node.hub.models import EnrolledGroup
from node.peering.models import Peer
from node.peering.worker import pull_peer

SWEEP_INTERVAL = timedelta(minutes=5)
MAX_RETRY_INTERVAL = timedelta(hours=1)


def sweep_group(hub: Group, enrolled: EnrolledGroup) -> int:
    """Pull one group now; returns statements stored. Commits (like the federation worker)."""
    peer = trust.peer_of(hub, enrolled)
    if peer is None:
        return 0
    enrolled_id, peer_id = enrolled.id, peer.id
    stored = pull_peer(peer)
    enrolled = db.session.get_one(EnrolledGroup, enrolled_id)
    peer = db.session.get_one(Peer, peer_id)
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


def retry_interval(failures: int) -> timedelta:
    """How long after a sweep a group is due again: SWEEP_INTERVAL, doubling with each consecutive
    failure after the first, at most MAX_RETRY_INTERVAL (a group that is down is not hammered)."""
    return min(MAX_RETRY_INTERVAL, SWEEP_INTERVAL * 2 ** min(max(failures - 1, 0), 16))


def _sweep_crashed(hub_id: int, enrolled_id: int, exc: Exception) -> None:
    """An unexpected error sweeping one group: record it on the group (the groups page shows the
    count and the error), so it is backed off like any failed sweep. The caller re-raises: the
    scheduler records the item's failure too (``node.scheduler.each_item``)."""
    db.session.rollback()
    enrolled = db.session.get(EnrolledGroup, enrolled_id)
    if enrolled is not None and enrolled.group_id == hub_id:
        enrolled.last_sweep_at = clock.utcnow_naive()
        enrolled.sweep_failures += 1
        enrolled.last_error = f"internal error: {scheduler.summary(exc)}"[:500]
    db.session.commit()


def _due(enrolled: EnrolledGroup, now: datetime) -> bool:
    last = enrolled.last_sweep_at
    return last is None or last <= now - retry_interval(enrolled.sweep_failures)


def _sweep(ids: tuple[int, int]) -> int:
    hub_id, enrolled_id = ids
    hub = db.session.get(Group, hub_id)
    enrolled = db.session.get(EnrolledGroup, enrolled_id)
    if hub is None or enrolled is None:
        return 0
    try:
        return sweep_group(hub, enrolled)
    except Exception as exc:
        _sweep_crashed(hub_id, enrolled_id, exc)
        raise


def run_sweep(force: bool = False) -> int:
    """The ``hub-sweep`` task: pull every enrolled (active or suspended) group that is due.

    Each group is an item of ``node.scheduler.each_item``: a failure (unreachable, a refused
    statement, an unexpected error) is counted on that group, which is then retried less and
    less often (:func:`retry_interval`), and the others are still swept."""
    now = clock.utcnow_naive()
    items = []
    for hub_id in db.session.scalars(select(Group.id).where(Group.role == "hub")).all():
        rows = db.session.scalars(
            select(EnrolledGroup)
            .where(
                EnrolledGroup.group_id == hub_id,
                EnrolledGroup.status.in_(("active", "suspended")),
            )
            .order_by(EnrolledGroup.id)
        ).all()
        items += [
            scheduler.Item(f"sweep:{row.id}", hub_id, f"Pulling {row.name}"[:200], (hub_id, row.id))
            for row in rows
            if force or _due(row, now)
        ]
    return scheduler.each_item("hub-sweep", items, _sweep)
