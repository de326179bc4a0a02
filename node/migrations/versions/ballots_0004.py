"""ballots: personal voting links and printed voting codes; how each vote was cast

Revision ID: ballots_0004
Revises: ballots_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "ballots_0004"
down_revision = "ballots_0003"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "ballot_participations",
        sa.Column("method", sa.String(length=10), nullable=False, server_default="signed_in"),
    )
    op.create_table(
        "ballot_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["groups.id"],
            name=op.f("fk_ballot_credentials_group_id_groups"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"],
            ["ballots.id"],
            name=op.f("fk_ballot_credentials_ballot_id_ballots"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["members.id"],
            name=op.f("fk_ballot_credentials_member_id_members"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot_credentials")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_ballot_credentials_token_hash")),
    )
    for column in ("group_id", "ballot_id", "member_id"):
        op.create_index(op.f(f"ix_ballot_credentials_{column}"), "ballot_credentials", [column])


def downgrade():
    op.drop_table("ballot_credentials")
    with op.batch_alter_table("ballot_participations") as batch:
        batch.drop_column("method")
