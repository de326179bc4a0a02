"""The log's tables, all owned by the hub group (``group_id``).

* :class:`LogHead` — one row per hub: the tree size and its frontier (the complete subtrees on
  the right edge, so an append reads nothing else), and the log key's public half. Appends lock
  this row (``SELECT … FOR UPDATE`` on PostgreSQL), which serialises them.
* :class:`LogLeaf` — leaf ``leaf_index``: which stored statement it is, and its leaf hash.
* :class:`LogNode` — every complete subtree above the leaves, ``(level, node_index)`` → hash: an
  append writes the ones it completes, a proof reads O(log n) of them.
* :class:`LogCheckpoint` — every checkpoint the log signed (old ones are kept).
* :class:`LogCosignature` — a witness's cosignature of a checkpoint, served with it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    LargeBinary,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from node import clock
from node.extensions import Model


class LogHead(Model):
    __tablename__ = "hub_log_heads"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    # The frontier's hashes, largest subtree first, concatenated (32 bytes each).
    frontier: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
    # The log key (created on first use): its note key name (= the origin) and raw public key.
    key_name: Mapped[str | None] = mapped_column(String(300))
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))


class LogLeaf(Model):
    __tablename__ = "hub_log_leaves"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    leaf_index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    statement_pk: Mapped[int] = mapped_column(
        ForeignKey("federation_statements.id", ondelete="CASCADE"), unique=True
    )
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogNode(Model):
    __tablename__ = "hub_log_nodes"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class LogCheckpoint(Model):
    __tablename__ = "hub_log_checkpoints"
    __table_args__ = (UniqueConstraint("group_id", "size"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("groups.id", ondelete="CASCADE"))
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[bytes] = mapped_column(LargeBinary(32))
    # The signed note as the log signed it (its own signature line only).
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive, index=True)


class LogCosignature(Model):
    __tablename__ = "hub_log_cosignatures"
    __table_args__ = (UniqueConstraint("checkpoint_id", "enrolled_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    checkpoint_id: Mapped[int] = mapped_column(
        ForeignKey("hub_log_checkpoints.id", ondelete="CASCADE")
    )
    enrolled_id: Mapped[int] = mapped_column(
        ForeignKey("hub_enrolled_groups.id", ondelete="CASCADE"), index=True
    )
    # The signature line as received, without its newline.
    line: Mapped[str] = mapped_column(String(400))
    timestamp: Mapped[int] = mapped_column(BigInteger)
    received_at: Mapped[datetime] = mapped_column(default=clock.utcnow_naive)
