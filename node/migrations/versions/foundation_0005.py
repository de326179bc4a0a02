"""foundation: groups.results_public, whether a published ballot's papers and result are open to
anyone to recount (on by default)

Revision ID: foundation_0005
Revises: foundation_0004
"""

import sqlalchemy as sa
from alembic import op

revision = "foundation_0005"
down_revision = "foundation_0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("results_public", sa.Boolean(), server_default="1", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("results_public")
