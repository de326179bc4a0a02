"""Federation state, all in the database so a restart (or a second worker) loses nothing.

* :class:`GroupKey` — a group's signing keys (public half here, private half in the instance
  folder, ``keys/<slug>/<kid>.key`` mode 0600). Retired keys stay: peers verify history with them.
* :class:`Statement` — every statement a group *holds*: its own and those received from peers,
  verbatim (``compact``) plus parsed fields. UNIQUE (group_id, issuer, seq) means the database
  itself refuses a second statement at a held position, whatever the code above it does.
* :class:`ForkEvidence` — a validly signed statement contradicting one we hold (kept, never used).
* :class:`Peer` — groups we trust and follow (the allowlist), with the keys we trust for them.
* :class:`Follower` — groups that follow us; we push our statements to their inboxes.
* :class:`Delivery` — the transactional outbox: one row per (statement, follower inbox), written
  in the same transaction as the statement.
* :class:`Destination` — per-origin circuit breaker for deliveries and pulls.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from node import clock
from node.extensions import Model

URL_LEN = 500
DELIVERY_STATES = ("pending", "delivered", "failed", "dead")
PEER_STATUSES = ("pending", "active", "flagged", "unfollowed")


class GroupKey(Model):
    __tablename__ = "federation_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    public_jwk: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    retired_at: Mapped[datetime | None]


class Statement(Model):
    __tablename__ = "federation_statements"
    __table_args__ = (
        UniqueConstraint("group_id", "issuer", "seq"),
        Index("ix_federation_statements_holder_sid", "group_id", "statement_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE")
    )  # UNIQUE (group_id, issuer, seq) serves it
    issuer: Mapped[str] = mapped_column(String(URL_LEN))
    seq: Mapped[int] = mapped_column(BigInteger)
    statement_id: Mapped[str] = mapped_column(String(36))
    type: Mapped[str] = mapped_column(String(40))
    prev: Mapped[str | None] = mapped_column(String(43))
    hash: Mapped[str] = mapped_column(String(43))
    kid: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    compact: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime]
    received_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    # "own" (signed here), "verified" (signature+schema+chain checked on receipt).
    verification: Mapped[str] = mapped_column(String(20), default="verified")
    retracted_by: Mapped[str | None] = mapped_column(String(36))
    retraction_reason: Mapped[str | None] = mapped_column(Text)

    @property
    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = self.payload.get("body", {})
        return body


class ForkEvidence(Model):
    __tablename__ = "federation_fork_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(URL_LEN))
    seq: Mapped[int] = mapped_column(BigInteger)
    compact: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Peer(Model):
    __tablename__ = "federation_peers"
    __table_args__ = (UniqueConstraint("group_id", "issuer"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    issuer: Mapped[str] = mapped_column(String(URL_LEN))
    name: Mapped[str] = mapped_column(String(200))
    inbox: Mapped[str] = mapped_column(String(URL_LEN))
    outbox: Mapped[str] = mapped_column(String(URL_LEN))
    jwks_uri: Mapped[str] = mapped_column(String(URL_LEN))
    follow_url: Mapped[str | None] = mapped_column(String(URL_LEN))
    # Thumbprints a person (or the hub registry) confirmed; keys = every public JWK we trust.
    thumbprints: Mapped[list[str]] = mapped_column(JSON, default=list)
    keys: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # kid -> last seq it may sign (set by the issuer's key-rotation statements).
    retired_kids: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(12), default="active")
    status_detail: Mapped[str | None] = mapped_column(String(500))
    last_pulled_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    next_pull_at: Mapped[datetime | None]
    pull_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_pull_error: Mapped[str | None] = mapped_column(String(500))
    jwks_fetched_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Follower(Model):
    __tablename__ = "federation_followers"
    __table_args__ = (UniqueConstraint("group_id", "actor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    actor: Mapped[str] = mapped_column(String(URL_LEN))
    inbox: Mapped[str] = mapped_column(String(URL_LEN))
    kid: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(12), default="active")
    last_request_at: Mapped[datetime]
    last_nonce: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)


class Delivery(Model):
    __tablename__ = "federation_deliveries"
    __table_args__ = (
        UniqueConstraint("statement_pk", "destination"),
        Index("ix_federation_deliveries_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    statement_pk: Mapped[int] = mapped_column(
        ForeignKey("federation_statements.id", ondelete="CASCADE"), index=True
    )
    destination: Mapped[str] = mapped_column(String(URL_LEN))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    last_error: Mapped[str | None] = mapped_column(String(500))
    locked_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(32))
    delivered_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)

    statement: Mapped[Statement] = relationship()


class Destination(Model):
    """Circuit breaker of one origin (scheme://host:port), shared by pushes and pulls."""

    __tablename__ = "federation_destinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    origin: Mapped[str] = mapped_column(String(URL_LEN), unique=True)
    state: Mapped[str] = mapped_column(String(10), default="closed")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None]
    probe_started: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(500))


class LogPosition(Model):
    """Where a hub's transparency log holds one of our own statements: the leaf index the hub
    answered with when it accepted the statement (``source`` "accepted"), or the one the witness
    found by reading the log's entries ("found"). The witness (``node.witness``) checks an
    inclusion proof for it against each new checkpoint until ``verified_size`` is set; after
    that, consistency between checkpoints carries the inclusion forward."""

    __tablename__ = "federation_log_positions"
    __table_args__ = (UniqueConstraint("statement_pk", "log"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"), index=True)
    statement_pk: Mapped[int] = mapped_column(
        ForeignKey("federation_statements.id", ondelete="CASCADE")
    )  # UNIQUE (statement_pk, log) serves it
    # The hub's id (its group URL): the inbox URL without "/federation/inbox".
    log: Mapped[str] = mapped_column(String(URL_LEN))
    leaf_index: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(10), default="accepted")
    recorded_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
    verified_size: Mapped[int | None] = mapped_column(BigInteger)
    verified_at: Mapped[datetime | None]

    statement: Mapped[Statement] = relationship()
