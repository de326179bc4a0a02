"""federation: drop the group_id-only index of statements (UNIQUE (group_id, issuer, seq) covers it)

Revision ID: federation_0002
Revises: federation_0001

Why: on a hub all statements share one group_id, so a plan using the group_id-only index reads
every statement; the composite unique index serves the same queries, and one index fewer is
maintained per stored statement.
"""

from alembic import op

revision = "federation_0002"
down_revision = "federation_0001"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_federation_statements_group_id", table_name="federation_statements")


def downgrade():
    op.create_index(
        "ix_federation_statements_group_id", "federation_statements", ["group_id"], unique=False
    )
