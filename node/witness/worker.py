"""The witness task: for each group enrolled with a hub, check the hub's log and cosign it.

One item per (group, hub) through :func:`node.scheduler.each_item`, so a hub that cannot be
reached is one recorded failure with back-off and the other groups' checks still run. A run:
:func:`node.witness.checks.check` (key, signature, consistency, our statements), then, if it
found nothing, the checkpoint becomes the group's last verified one and is cosigned with the
group's key (C2SP tlog-cosignature) and sent to the hub; then the comparison with peers
(:mod:`node.witness.peers`). Findings are kept as evidence (:mod:`node.witness.evidence`) and
the task goes on running: evidence is never retried away, and a checkpoint that produced
evidence is never cosigned. A hub that cannot be reached or read is not evidence: the failure
is counted on the group's :class:`~node.witness.models.WitnessState` and backed off, as a
peer's failed pull is; anything unexpected is the scheduler's to record.
"""

from __future__ import annotations

import logging
import random
from datetime import timedelta

from flask import current_app
from sqlalchemy import select

from federation import backoff
from federation.errors import DeliveryError
from federation.tlog import CosignatureSigner, cosign
from federation.tlog.names import witness_name
from node import clock, scheduler
from node.extensions import db
from node.groups.models import Group
from node.hub.models import HubLink
from node.peering import keystore, net
from node.witness import evidence
from node.witness.checks import Outcome, body, check
from node.witness.models import WitnessState
from node.witness.peers import compare_with_peers
from node.witness.remote import HubLog

log = logging.getLogger(__name__)
TASK = "witness"
_rng = random.Random()  # noqa: S311  (retry jitter, not security)


def grace() -> timedelta:
    """COMMONGROUND_WITNESS_GRACE_MINUTES: how long the hub may take to log an accepted statement."""
    return timedelta(minutes=int(current_app.config.get("WITNESS_GRACE_MINUTES", 60)))


def interval() -> timedelta:
    """COMMONGROUND_WITNESS_INTERVAL_SECONDS: the pause between two checks of one hub's log."""
    return timedelta(seconds=int(current_app.config.get("WITNESS_INTERVAL_SECONDS", 60)))


def state_for(group_id: int, hub_url: str) -> WitnessState:
    state = db.session.scalar(
        select(WitnessState).where(
            WitnessState.group_id == group_id, WitnessState.hub_url == hub_url
        )
    )
    if state is None:
        state = WitnessState(group_id=group_id, hub_url=hub_url, size=0, scanned_to=0)
        db.session.add(state)
        db.session.flush()
    return state


def _cosign(group: Group, state: WitnessState, hub: HubLog) -> None:
    """Cosign the group's last verified checkpoint and send the cosignature to the hub."""
    if state.checkpoint is None:
        return
    row = keystore.current_key(group)
    signer = CosignatureSigner(witness_name(group.url), keystore.private_key(group, row))
    checkpoint = body(state.checkpoint)
    line = cosign(checkpoint, signer, int(clock.now().timestamp())).line()
    result = hub.cosign(checkpoint.text(), line)
    if not result.ok:
        raise DeliveryError(f"the hub refused our cosignature: {result.error}: {result.detail}")
    state.cosigned_at = clock.utcnow_naive()


def _accept(state: WitnessState, outcome: Outcome) -> bool:
    """Make the served checkpoint the last verified one; True if it is new (to cosign)."""
    if outcome.served is None or outcome.opened is None or outcome.stale:
        return False
    new = outcome.opened.checkpoint
    if state.checkpoint is not None and body(state.checkpoint) == new:
        return state.cosigned_at is None
    state.checkpoint, state.size = outcome.served, new.size
    state.cosigned_at = None
    return True


def _failed(group_id: int, hub_url: str, error: str) -> None:
    """The hub could not be reached or read: count it, keep why, back off (like a peer's pull)."""
    db.session.rollback()
    state = state_for(group_id, hub_url)
    state.failures = (state.failures or 0) + 1
    state.last_error = error[:500]
    delay = timedelta(seconds=backoff.next_attempt_delay(state.failures, _rng))
    state.next_check_at = clock.utcnow_naive() + max(delay, interval())
    db.session.commit()


def witness(target: tuple[int, str]) -> int:
    """One group's check of one hub; returns the number of new evidence items."""
    group_id, hub_url = target
    group = db.session.get_one(Group, group_id)
    state = state_for(group_id, hub_url)
    client = net.client()
    hub = HubLog(client, hub_url)
    kept = 0
    try:
        outcome = check(state, hub, grace())
        state.checked_at = clock.utcnow_naive()
        state.next_check_at = state.checked_at + interval()
        state.failures, state.last_error = 0, None
        for finding in outcome.findings:
            kept += evidence.keep(group_id, hub_url, finding) is not None
        to_cosign = not outcome.findings and _accept(state, outcome)
        db.session.commit()  # what was verified and found is kept whatever happens next
        for finding in compare_with_peers(state, hub):
            kept += evidence.keep(group_id, hub_url, finding) is not None
        db.session.commit()
        if to_cosign:
            _cosign(group, state, hub)
            db.session.commit()
    except DeliveryError as exc:
        _failed(group_id, hub_url, str(exc))
    finally:
        client.close()
    if kept:
        log.warning(
            "witness: %d new evidence item(s) about %s for group %s", kept, hub_url, group_id
        )
    return kept


def run() -> int:
    """The scheduler task: every (group, hub) link that is due, each one item."""
    now = clock.utcnow_naive()
    waiting = {
        (group_id, hub_url)
        for group_id, hub_url, due in db.session.execute(
            select(WitnessState.group_id, WitnessState.hub_url, WitnessState.next_check_at)
        )
        if due is not None and due > now
    }
    links = db.session.execute(
        select(HubLink.group_id, HubLink.hub_url).order_by(HubLink.group_id, HubLink.id)
    ).all()
    items = [
        scheduler.Item(
            f"witness:{group_id}:{hub_url}"[:200],
            group_id,
            f"Checking the log of {hub_url}"[:200],
            (group_id, hub_url),
        )
        for group_id, hub_url in links
        if (group_id, hub_url) not in waiting
    ]
    return scheduler.each_item(TASK, items, witness)
