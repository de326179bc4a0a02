"""foundation: the audit log becomes a hash chain per group (seq, prev_hash, personal_digest,
entry_hash, redacted_at); existing entries are chained in the order they were written

Revision ID: foundation_0004
Revises: foundation_0003
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "foundation_0004"
down_revision = "foundation_0003"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def _sha256(parts):
    canonical = json.dumps(parts, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _chain_existing_entries():
    """The same hashes as node.audit (copied: a migration must not change when the code does)."""
    log = sa.table(
        "audit_log",
        sa.column("id", sa.Integer),
        sa.column("group_id", sa.Integer),
        sa.column("actor_label", sa.String),
        sa.column("action", sa.String),
        sa.column("target", sa.String),
        sa.column("detail", sa.Text),
        sa.column("at", sa.DateTime),
        sa.column("seq", sa.Integer),
        sa.column("prev_hash", sa.String),
        sa.column("personal_digest", sa.String),
        sa.column("entry_hash", sa.String),
    )
    bind = op.get_bind()
    heads = {}
    rows = bind.execute(
        sa.select(
            log.c.id, log.c.group_id, log.c.actor_label, log.c.action, log.c.target,
            log.c.detail, log.c.at,
        ).order_by(log.c.id)
    ).all()  # fmt: skip
    for row in rows:
        seq, prev = heads.get(row.group_id, (0, GENESIS))
        seq += 1
        personal = _sha256([row.actor_label, row.target, row.detail])
        at = row.at.isoformat(timespec="microseconds")
        digest = _sha256([row.group_id, seq, row.action, at, personal, prev])
        bind.execute(
            log.update()
            .where(log.c.id == row.id)
            .values(seq=seq, prev_hash=prev, personal_digest=personal, entry_hash=digest)
        )
        heads[row.group_id] = (seq, digest)


def upgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("personal_digest", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("entry_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("redacted_at", sa.DateTime(), nullable=True))
    _chain_existing_entries()
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        for column in ("seq", "prev_hash", "personal_digest", "entry_hash"):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_unique_constraint(
            batch_op.f("uq_audit_log_group_id_seq"), ["group_id", "seq"]
        )


def downgrade():
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_audit_log_group_id_seq"), type_="unique")
        for column in ("redacted_at", "entry_hash", "personal_digest", "prev_hash", "seq"):
            batch_op.drop_column(column)
