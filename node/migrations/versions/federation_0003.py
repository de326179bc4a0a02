"""federation: where a hub's transparency log holds each of our own statements

Revision ID: federation_0003
Revises: federation_0002

Why: the hub answers an accepted delivery with the leaf index of each statement in its log
(docs/protocol.md §14); the witness (node.witness) checks an inclusion proof for each one.
"""

import sqlalchemy as sa
from alembic import op

revision = "federation_0003"
down_revision = "federation_0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "federation_log_positions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("statement_pk", sa.Integer(), nullable=False),
        sa.Column("log", sa.String(length=500), nullable=False),
        sa.Column("leaf_index", sa.BigInteger(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("verified_size", sa.BigInteger(), nullable=True),
        sa.Column("verified_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_federation_log_positions_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["statement_pk"],
            ["federation_statements.id"],
            name=op.f("fk_federation_log_positions_statement_pk_federation_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_federation_log_positions")),
        sa.UniqueConstraint(
            "statement_pk", "log", name=op.f("uq_federation_log_positions_statement_pk_log")
        ),
    )
    with op.batch_alter_table("federation_log_positions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_federation_log_positions_group_id"), ["group_id"], unique=False
        )


def downgrade():
    op.drop_table("federation_log_positions")
