"""hub: the transparency log (head, leaves, complete subtrees, checkpoints, cosignatures)

Revision ID: hub_0004
Revises: hub_0003

Why: the hub appends every statement it accepts to an RFC 9162 Merkle tree and signs
checkpoints that groups cosign (docs/protocol.md §14). Complete subtrees are stored so that an
append and a proof each touch O(log n) rows.
"""

import sqlalchemy as sa
from alembic import op

revision = "hub_0004"
down_revision = "hub_0003"
branch_labels = None
depends_on = "federation_0001"  # hub_log_leaves.statement_pk


def _group_fk(table):
    return sa.ForeignKeyConstraint(
        ["group_id"], ["groups.id"], name=op.f(f"fk_{table}_group_id_groups"), ondelete="CASCADE"
    )


def upgrade():
    op.create_table(
        "hub_log_heads",
        sa.Column("group_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.Column("key_name", sa.String(length=300), nullable=True),
        sa.Column("public_key", sa.LargeBinary(length=32), nullable=True),
        _group_fk("hub_log_heads"),
        sa.PrimaryKeyConstraint("group_id", name=op.f("pk_hub_log_heads")),
    )
    op.create_table(
        "hub_log_leaves",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("statement_pk", sa.Integer(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        _group_fk("hub_log_leaves"),
        sa.ForeignKeyConstraint(
            ["statement_pk"],
            ["federation_statements.id"],
            name=op.f("fk_hub_log_leaves_statement_pk_federation_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("group_id", "leaf_index", name=op.f("pk_hub_log_leaves")),
        sa.UniqueConstraint("statement_pk", name=op.f("uq_hub_log_leaves_statement_pk")),
    )
    op.create_table(
        "hub_log_nodes",
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.SmallInteger(), nullable=False),
        sa.Column("node_index", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        _group_fk("hub_log_nodes"),
        sa.PrimaryKeyConstraint("group_id", "level", "node_index", name=op.f("pk_hub_log_nodes")),
    )
    op.create_table(
        "hub_log_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        _group_fk("hub_log_checkpoints"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_log_checkpoints")),
        sa.UniqueConstraint("group_id", "size", name=op.f("uq_hub_log_checkpoints_group_id_size")),
    )
    op.create_index(
        op.f("ix_hub_log_checkpoints_created_at"), "hub_log_checkpoints", ["created_at"]
    )
    op.create_table(
        "hub_log_cosignatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("checkpoint_id", sa.Integer(), nullable=False),
        sa.Column("enrolled_id", sa.Integer(), nullable=False),
        sa.Column("line", sa.String(length=400), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["hub_log_checkpoints.id"],
            name=op.f("fk_hub_log_cosignatures_checkpoint_id_hub_log_checkpoints"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["enrolled_id"],
            ["hub_enrolled_groups.id"],
            name=op.f("fk_hub_log_cosignatures_enrolled_id_hub_enrolled_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_log_cosignatures")),
        sa.UniqueConstraint(
            "checkpoint_id",
            "enrolled_id",
            name=op.f("uq_hub_log_cosignatures_checkpoint_id_enrolled_id"),
        ),
    )
    op.create_index(
        op.f("ix_hub_log_cosignatures_enrolled_id"), "hub_log_cosignatures", ["enrolled_id"]
    )


def downgrade():
    op.drop_table("hub_log_cosignatures")
    op.drop_table("hub_log_checkpoints")
    op.drop_table("hub_log_nodes")
    op.drop_table("hub_log_leaves")
    op.drop_table("hub_log_heads")
