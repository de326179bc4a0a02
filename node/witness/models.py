"""What a group's witness remembers of each hub log it checks, and the evidence it keeps.

* :class:`WitnessState` — one row per (group, hub): the hub's log key pinned on first use, the
  last checkpoint that passed every check (the signed note as the hub served it), how far the
  log's entries have been read looking for our statements, when it last cosigned, and the
  failures to reach the hub (counted and backed off like a peer's pulls; never evidence).
* :class:`Evidence` — something the hub must not do (a changed key, a bad signature, a log
  inconsistent with what it showed before, one of our statements left out, a split view),
  with both signed checkpoints and the failed proof. Kept for ever; an officer acknowledges it
  (``acknowledged_at``) but it is never deleted or retried away. ``fingerprint`` makes the same
  finding, seen again on the next run, one row.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model

URL_LEN = 500
KINDS = ("key-changed", "bad-signature", "inconsistent", "not-included", "missing", "split-view")


class WitnessState(Model):
    __tablename__ = "witness_states"
    __table_args__ = (UniqueConstraint("group_id", "hub_url"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, hub_url) serves it
    hub_url: Mapped[str] = mapped_column(String(URL_LEN))
    log_key: Mapped[str | None] = mapped_column(String(400))
    checkpoint: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    scanned_to: Mapped[int] = mapped_column(BigInteger, default=0)
    checked_at: Mapped[datetime | None]
    cosigned_at: Mapped[datetime | None]
    # The last peer (Peer.id) whose checkpoints were compared with ours: the next run goes on
    # from there, so a group with more peers than one run compares still compares them all.
    peers_from: Mapped[int] = mapped_column(Integer, default=0)
    # A hub we could not reach or could not read: counted, shown, backed off (not evidence).
    next_check_at: Mapped[datetime | None]
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Evidence(Model):
    __tablename__ = "witness_evidence"
    __table_args__ = (UniqueConstraint("group_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, fingerprint) serves it
    hub_url: Mapped[str] = mapped_column(String(URL_LEN))
    kind: Mapped[str] = mapped_column(String(20))
    fingerprint: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(String(1000))
    # The checkpoint the hub showed now, and the one it contradicts (ours before, or a peer's).
    checkpoint: Mapped[str | None] = mapped_column(Text)
    other_checkpoint: Mapped[str | None] = mapped_column(Text)
    other_source: Mapped[str | None] = mapped_column(String(URL_LEN))
    proof: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    statement_id: Mapped[str | None] = mapped_column(String(36))
    statement_issued_at: Mapped[datetime | None]
    found_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    acknowledged_at: Mapped[datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(200))
