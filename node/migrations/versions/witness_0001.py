"""witness: what each group's node checked of its hub's transparency log, and the evidence

Revision ID: witness_0001
Revises: 0001_foundation
"""

import sqlalchemy as sa
from alembic import op

revision = "witness_0001"
down_revision = "0001_foundation"
branch_labels = ("witness",)
depends_on = None


def upgrade():
    op.create_table(
        "witness_states",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.String(length=500), nullable=False),
        sa.Column("log_key", sa.String(length=400), nullable=True),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("scanned_to", sa.BigInteger(), nullable=False),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.Column("cosigned_at", sa.DateTime(), nullable=True),
        sa.Column("next_check_at", sa.DateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_witness_states_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_states")),
        sa.UniqueConstraint("group_id", "hub_url", name=op.f("uq_witness_states_group_id_hub_url")),
    )
    op.create_table(
        "witness_evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("hub_url", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("checkpoint", sa.Text(), nullable=True),
        sa.Column("other_checkpoint", sa.Text(), nullable=True),
        sa.Column("other_source", sa.String(length=500), nullable=True),
        sa.Column("proof", sa.JSON(), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=True),
        sa.Column("statement_issued_at", sa.DateTime(), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_witness_evidence_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_evidence")),
        sa.UniqueConstraint(
            "group_id", "fingerprint", name=op.f("uq_witness_evidence_group_id_fingerprint")
        ),
    )


def downgrade():
    op.drop_table("witness_evidence")
    op.drop_table("witness_states")
