"""Keep the leaf indices a hub answers with when it accepts our statements (protocol §14).

A hub's inbox answers an accepted batch with ``"log": {"<statement id>": <leaf index>, …}``.
The worker hands that answer here; each index of a statement we just sent is kept (one row per
statement and hub, :class:`~node.peering.models.LogPosition`), so the witness can later ask for
an inclusion proof of exactly that leaf. The answer is untrusted: anything but a map of our own
statement ids to non-negative integers is ignored — a hub that lies about an index is caught by
the inclusion proof, not here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from node.extensions import db
from node.peering.models import Delivery, LogPosition

MAX_LEAF_INDEX = 2**63 - 1
INBOX = "/federation/inbox"


def log_of(destination: str) -> str:
    """Whose log a delivery's answer speaks of: the group id of the inbox's owner (the hub's
    id, as ``HubLink.hub_url`` holds it), so two groups on one install are never confused."""
    return destination.removesuffix(INBOX).rstrip("/")


def record(destination: str, rows: Sequence[Delivery], body: dict[str, Any]) -> int:
    """Keep the leaf index of each statement of ``rows`` that the hub's answer ``body`` gives;
    returns how many were new. A statement already placed in that log keeps its first index."""
    answer = body.get("log")
    if not isinstance(answer, dict) or not rows:
        return 0
    log = log_of(destination)
    held = set(
        db.session.scalars(
            select(LogPosition.statement_pk).where(
                LogPosition.log == log,
                LogPosition.statement_pk.in_([row.statement_pk for row in rows]),
            )
        )
    )
    added = 0
    for row in rows:
        index = answer.get(row.statement.statement_id)
        if row.statement_pk in held or type(index) is not int or not 0 <= index <= MAX_LEAF_INDEX:
            continue
        db.session.add(
            LogPosition(
                group_id=row.group_id, statement_pk=row.statement_pk, log=log, leaf_index=index
            )
        )
        held.add(row.statement_pk)
        added += 1
    return added
